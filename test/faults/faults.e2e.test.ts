// Fault tolerance under a mixed command load: kill -9 of the api, projector and worker processes
// at random moments, a Postgres restart and a Redis outage, all on private servers this test owns.
// After recovery: every acknowledged command has its events, read models equal a fresh replay,
// Σ reserved ≤ onHand and orders agree with inventory, no order is stuck, every webhook delivery
// id was acknowledged once per event, and while a dependency was down the API answered 503 with
// Retry-After instead of hanging.
//
// `npm test` runs a short variant; `npm run test:faults` the full one (OMS_FAULT_ROUNDS=12,
// OMS_FAULT_REDIS_OUTAGE_MS=10000). OMS_FAULT_SEED replays a schedule.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { mulberry32 } from '../support/prng.ts';
import {
  createPrivatePostgres,
  createPrivateRedis,
  freePort,
  type PrivatePostgres,
  type PrivateRedis,
} from '../support/private-services.ts';
import { spawnOms, type OmsProcess } from '../support/process.ts';
import { startReceiver } from '../support/receiver.ts';
import { settledInDatabase } from '../support/quiescence.ts';
import { waitFor } from '../support/wait.ts';
import pg from 'pg';

const ROUNDS = Number(process.env.OMS_FAULT_ROUNDS ?? 3);
const REDIS_OUTAGE_MS = Number(process.env.OMS_FAULT_REDIS_OUTAGE_MS ?? 3000);
const SEED = Number(process.env.OMS_FAULT_SEED ?? Date.now() % 100_000);
const REQUEST_TIMEOUT_MS = 3000;
const SKUS = ['FLT-A', 'FLT-B', 'FLT-C'];
type Role = 'api' | 'projector' | 'worker';
type Outcome = 'ok' | 'refused' | 'unknown';

describe(`Fault tolerance: ${ROUNDS} kill -9 rounds, a Postgres restart, a ${REDIS_OUTAGE_MS / 1000} s Redis outage (seed ${SEED})`, function () {
  this.timeout(10 * 60_000);
  let db: PrivatePostgres | null;
  let redis: PrivateRedis | null;
  const procs = new Map<Role, OmsProcess>();
  let env: Record<string, string>;
  let base: string;
  let key: string;

  const spawnRole = (role: Role) => procs.set(role, spawnOms(['start', '--role', role], env));
  const kill9 = async (role: Role) => {
    const p = procs.get(role)!;
    p.child.kill('SIGKILL');
    await p.exited;
  };
  const ready = () =>
    waitFor(
      async () => (await fetch(`${base}/readyz`).catch(() => null))?.status ?? 0,
      (s) => s === 200,
      { timeoutMs: 60_000, what: 'api ready' },
    );

  before(async function () {
    db = await createPrivatePostgres();
    redis = await createPrivateRedis();
    if (!db || !redis) return this.skip(); // no local server binaries to own a private Postgres and Redis
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url('oms'),
      REDIS_URL: redis.url,
      OMS_REDIS_PREFIX: 'faults',
      LOG_LEVEL: 'error',
      OMS_RATE_LIMIT_PER_SECOND: '0',
      OMS_RATE_LIMIT_PER_ADDRESS: '0',
      OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1',
      OMS_WEBHOOK_BACKOFF_MS: '100',
      OMS_WORKER_LOCK_MS: '2000',
      OMS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      OMS_SHUTDOWN_TIMEOUT_MS: '2000',
    };
    const created = spawnOms(['api-keys', 'create', '--tenant', 'faults', '--scopes', '*', '--json'], env);
    expect(await created.exited, created.output()).to.equal(0);
    key = JSON.parse(created.output().trim().split('\n').pop()!).key;
    for (const role of ['api', 'projector', 'worker'] as const) spawnRole(role);
    await ready();
  });

  after(async () => {
    for (const p of procs.values()) p.child.kill('SIGKILL');
    await Promise.all([...procs.values()].map((p) => p.exited));
    db?.close();
    await redis?.close();
  });

  it('loses nothing, doubles nothing, and answers 503 + Retry-After while a dependency is down', async () => {
    const rand = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const rx = await startReceiver();
    const stats = {
      requests: 0,
      ok: 0,
      refused: 0,
      unknown: 0,
      retries: 0,
      status503: 0,
      retryAfterMissing: 0,
      slowest503Ms: 0,
    };

    /** One command, retried with the same Idempotency-Key until it gets a definite answer. */
    async function command(method: string, path: string, body: unknown): Promise<{ outcome: Outcome; body?: any }> {
      const idem = randomUUID();
      // Longer than the idempotency lease (60 s): a request killed mid-flight holds its key until then.
      const until = Date.now() + 90_000;
      stats.requests++;
      while (Date.now() < until) {
        const t0 = Date.now();
        let res: Response;
        try {
          res = await fetch(`${base}${path}`, {
            method,
            headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Idempotency-Key': idem },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + 5000),
          });
        } catch {
          stats.retries++; // connection refused / reset: the api is down or was killed mid-request
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const json: any = await res.json().catch(() => null);
        if (res.status === 503) {
          stats.status503++;
          stats.slowest503Ms = Math.max(stats.slowest503Ms, Date.now() - t0);
          if (!res.headers.get('retry-after')) stats.retryAfterMissing++;
        }
        if (res.status >= 500 || (res.status === 409 && json?.code === 'idempotency_key_in_use')) {
          stats.retries++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const outcome: Outcome = res.status < 300 ? 'ok' : 'refused';
        stats[outcome]++;
        return { outcome, body: json };
      }
      stats.unknown++;
      return { outcome: 'unknown' };
    }

    const customers: string[] = [];
    const orders: string[] = [];
    const acked = new Map(SKUS.map((s) => [s, { ok: 0, unknown: 0 }]));
    expect(
      (await command('POST', '/v1/webhook-endpoints', { url: rx.url, events: ['order.placed'] })).outcome,
    ).to.equal('ok');

    let loading = true;
    async function loadLoop(): Promise<void> {
      while (loading) {
        const r = rand();
        if (r < 0.15 || customers.length === 0) {
          const res = await command('POST', '/v1/customers', {
            email: `c${randomUUID()}@faults.example`,
            name: 'Fault Tester',
          });
          if (res.outcome === 'ok') customers.push(res.body.id);
        } else if (r < 0.4) {
          const sku = pick(SKUS);
          const delta = 1 + Math.floor(rand() * 4);
          const res = await command('POST', '/v1/inventory/adjustments', { sku, delta, reason: 'received' });
          if (res.outcome === 'ok') acked.get(sku)!.ok += delta;
          if (res.outcome === 'unknown') acked.get(sku)!.unknown += delta;
        } else if (r < 0.85) {
          const res = await command('POST', '/v1/orders', {
            customerId: pick(customers),
            currency: 'EUR',
            lines: [{ sku: pick(SKUS), quantity: 1 + Math.floor(rand() * 3), unitPrice: 500 }],
            shippingAddress: { line1: '1 Fault Lane', city: 'Crashton', country: 'GB' },
          });
          if (res.outcome === 'ok') orders.push(res.body.id);
        } else if (orders.length > 0) {
          await command('POST', `/v1/orders/${pick(orders)}/cancel`, { reason: 'changed mind' });
        }
      }
    }
    const load = Promise.all(Array.from({ length: 4 }, loadLoop));

    /** A request made while a dependency is down must come back (not hang), 2xx or 503 + Retry-After. */
    async function probeDuringOutage(method: string, path: string, body?: unknown) {
      const t0 = Date.now();
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${key}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': randomUUID(),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + 5000),
      });
      const ms = Date.now() - t0;
      expect([200, 201, 503], `${method} ${path} during an outage`).to.include(res.status);
      if (res.status === 503) {
        expect(res.headers.get('retry-after'), 'Retry-After on 503').to.match(/^\d+$/);
        expect(res.headers.get('content-type')).to.match(/application\/problem\+json/);
      }
      expect(ms, `${method} ${path} answered within the request deadline`).to.be.below(REQUEST_TIMEOUT_MS + 2000);
      return res.status;
    }

    // kill -9 rounds at random moments
    const roles: Role[] = ['api', 'projector', 'worker'];
    for (let round = 0; round < ROUNDS; round++) {
      await new Promise((r) => setTimeout(r, 300 + rand() * 1200)); // the random moment is the fault itself
      const role = roles[round % 3]!;
      await kill9(role);
      spawnRole(role);
      if (role === 'api') await ready();
    }

    // Postgres stops (immediate, like a crash) and comes back
    db!.stop();
    const pgDown = await probeDuringOutage('GET', '/v1/orders?limit=5');
    expect(pgDown, 'reads need Postgres').to.equal(503);
    db!.start();
    await ready();

    // Redis goes away for a while
    await redis!.stop();
    const redisDownAt = Date.now();
    const redisDown = await probeDuringOutage('POST', '/v1/inventory/adjustments', {
      sku: 'FLT-PROBE',
      delta: 1,
      reason: 'received',
    });
    await new Promise((r) => setTimeout(r, Math.max(0, REDIS_OUTAGE_MS - (Date.now() - redisDownAt)))); // the outage's length is the fault itself
    await redis!.start();

    // On a busy machine few commands may succeed while the faults run: the load goes on until
    // enough were acknowledged for the checks below to mean something.
    await waitFor(
      async () => stats.ok,
      (ok) => ok > 20,
      { timeoutMs: 180_000, intervalMs: 250, what: 'more than 20 acknowledged commands' },
    );
    loading = false;
    await load;
    await ready();

    // Recovery: read models at the head, no order left pending, every order.placed delivered.
    const sql = new pg.Pool({ connectionString: db!.url('oms'), max: 2 });
    try {
      await waitFor(
        async () => {
          const head = (await sql.query("select count(*)::int as n from es_events where event_type = 'OrderPlaced'"))
            .rows[0].n as number;
          const pending = (await sql.query("select count(*)::int as n from orders where status = 'pending'")).rows[0]
            .n as number;
          const projected = (await sql.query('select count(*)::int as n from orders')).rows[0].n as number;
          const delivered = (
            await sql.query("select count(*)::int as n from webhook_deliveries where status = 'succeeded'")
          ).rows[0].n as number;
          return { head, pending, projected, delivered };
        },
        (s) => s.pending === 0 && s.projected === s.head && s.delivered === s.head,
        { timeoutMs: 180_000, intervalMs: 250, what: 'recovery: orders allocated and deliveries acknowledged' },
      ).catch((err: Error) => {
        // What each process said (errors only) and whether it is still running: a stalled
        // recovery is otherwise a number without a cause.
        const logs = [...procs].map(
          ([role, p]) => `--- ${role} (exit code ${p.child.exitCode ?? 'none: running'}):\n${p.output().slice(-4000)}`,
        );
        throw new Error(`${err.message}\n${logs.join('\n')}`);
      });

      // The checks below compare read models with each other (orders with inventory): each must
      // have applied everything, and cancelled orders' releases must have run.
      await settledInDatabase(sql);

      // 1. Every acknowledged command has its events.
      for (const [category, ids] of [
        ['customer', customers],
        ['order', orders],
      ] as const) {
        const streams = new Set(
          (
            await sql.query('select distinct stream_name from es_events where stream_name = any($1)', [
              ids.map((id) => `faults:${category}:${id}`),
            ])
          ).rows.map((r) => r.stream_name),
        );
        expect(streams.size, `acknowledged ${category}s with events`).to.equal(ids.length);
      }
      // 2. Every acknowledged adjustment counted once (idempotent retries), none invented.
      // The inventory read model may still be catching up after the orders one: wait until it settles
      // in range (a lost or doubled adjustment never does).
      for (const [sku, a] of acked) {
        const onHand = await waitFor(
          async () =>
            Number(
              (await sql.query('select coalesce(sum(on_hand), 0) as n from inventory_levels where sku = $1', [sku]))
                .rows[0].n,
            ),
          (n) => n >= a.ok && n <= a.ok + a.unknown,
          { timeoutMs: 30_000, intervalMs: 250, what: `${sku} onHand within the acknowledged adjustments` },
        );
        expect(onHand, `${sku} onHand vs acknowledged adjustments`).to.be.within(a.ok, a.ok + a.unknown);
      }
      // 3. Σ reserved ≤ onHand everywhere, and what orders hold = what inventory holds.
      const held = new Map<string, number>();
      for (const { state } of (await sql.query('select state from orders')).rows) {
        for (const l of state.lines)
          for (const [loc, n] of Object.entries(l.reserved ?? {}))
            held.set(`${l.sku}@${loc}`, (held.get(`${l.sku}@${loc}`) ?? 0) + (n as number));
      }
      for (const row of (
        await sql.query(
          'select sku, location, on_hand::float8 as on_hand, reserved::float8 as reserved from inventory_levels',
        )
      ).rows) {
        expect(row.reserved, `${row.sku}@${row.location} reserved ≤ onHand`).to.be.at.most(row.on_hand);
        expect(row.reserved, `${row.sku}@${row.location} orders agree with inventory`).to.equal(
          held.get(`${row.sku}@${row.location}`) ?? 0,
        );
      }
      // 4. Read models equal a fresh replay.
      const verify = spawnOms(['projections', 'verify'], env);
      expect(await verify.exited, verify.output()).to.equal(0);
      // 5. One delivery id per event, each acknowledged by the receiver.
      const ids = (await sql.query("select id from webhook_deliveries where status = 'succeeded'")).rows.map(
        (r) => r.id as string,
      );
      expect(new Set(ids).size).to.equal(ids.length);
      const receivedIds = rx.received.map((r) => r.body.id as string);
      for (const id of ids) expect(receivedIds, `delivery ${id} received`).to.include(id);
      const duplicates = receivedIds.length - new Set(receivedIds).size;

      console.log(
        `      faults: ${ROUNDS} kill -9 rounds; ${stats.requests} commands (${stats.ok} 2xx, ${stats.refused} 4xx, ${stats.unknown} unknown), ${stats.retries} retries, ` +
          `${stats.status503} × 503 (slowest ${stats.slowest503Ms} ms, ${stats.retryAfterMissing} without Retry-After); probes: Postgres down → ${pgDown}, Redis down → ${redisDown}; ` +
          `${ids.length} deliveries, ${duplicates} re-sent after a kill (same id, receiver dedupes)`,
      );
      expect(stats.retryAfterMissing, '503 without Retry-After').to.equal(0);
      expect(stats.ok).to.be.greaterThan(20);
    } finally {
      await sql.end();
      await rx.close();
    }
  });
});
