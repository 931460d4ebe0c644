import { expect } from 'chai';
import type { paths } from '../../client/index.ts';
import { formatPosition, type RecordedEvent } from '../../src/eventstore/port.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { REDIS_URL } from '../support/database.ts';
import { client, expectProblem } from '../support/http.ts';
import { spawnOms } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';

// GET /v1/operations/projections against a known state (the API runs first without a projector, so
// every projection is exactly the log behind, one of them from a checkpoint set in the middle), then
// POST /v1/operations/parked-events/:eventId/retry on an event the customers projection parked
// (a trigger refuses one customer's row; dropping it is "the fix").

const POISON_NAME = 'Poison Pill';
const installPoison = `
  create function test_poison() returns trigger language plpgsql as $$
  begin
    if new.name = '${POISON_NAME}' then raise exception 'refused by the test poison trigger'; end if;
    return new;
  end $$;
  create trigger test_poison before insert or update on customers for each row execute function test_poison();`;
const removePoison = 'drop trigger test_poison on customers; drop function test_poison();';

// The answer as the generated client types it (one source: the route's own response schema).
type Status = paths['/v1/operations/projections']['get']['responses'][200]['content']['application/json'];

describe('GET /v1/operations/projections and POST /v1/operations/parked-events/:eventId/retry (int)', function () {
  this.timeout(120_000);
  let app: TestApp;

  before(async () => {
    // A minute's backoff: the poison event is parked after its attempts rather than waited on.
    app = await startTestApp({
      roles: ['api'],
      projectorRetry: { parkAfter: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    await app.db.pool.query(installPoison);
  });
  after(async () => app?.stop());

  it('reports exact lag while the projector is stopped, then parks, refuses, and applies a retry', async () => {
    const a = await app.key(['operations:manage', 'customers:write']);
    const b = await app.key(['operations:manage']);
    const apiA = client(app.baseUrl, a.key);
    const apiB = client(app.baseUrl, b.key);
    const readOnly = client(app.baseUrl, (await app.key(['customers:read'], a.tenant)).key);
    const names = app.runtime.allProjections().map((p) => p.name);

    const poisoned = await apiA.post('/v1/customers', { email: 'pill@example.com', name: POISON_NAME });
    expect(poisoned.status, poisoned.text).to.equal(201);
    for (const n of [1, 2, 3])
      expect((await apiA.post('/v1/customers', { email: `c${n}@example.com`, name: `Customer ${n}` })).status).to.equal(
        201,
      );
    const events: RecordedEvent[] = await app.runtime.services.store.readAll({ maxCount: 1000 });
    expect(events.length).to.be.at.least(4);
    // One projection's checkpoint moved by hand past the first two events (nothing runs to move it).
    await app.db.pool.query(
      `update projection_checkpoints set position_commit = $1, position_prepare = $2 where name = 'orders'`,
      [events[1]!.position.commit.toString(), events[1]!.position.prepare.toString()],
    );

    const before = await apiA.get<Status>('/v1/operations/projections');
    expect(before.status, before.text).to.equal(200);
    const at = Date.parse(before.body.at);
    expect(before.body.head).to.equal(formatPosition(events.at(-1)!.position));
    expect(before.body.projections.map((p) => p.name)).to.deep.equal(names);
    for (const p of before.body.projections) {
      const from = p.name === 'orders' ? 2 : 0;
      expect(p, p.name).to.deep.equal({
        name: p.name,
        position: p.name === 'orders' ? formatPosition(events[1]!.position) : null,
        lagEvents: events.length - from,
        lagCapped: false,
        lagSeconds: (at - events[from]!.createdAt.getTime()) / 1000,
        eventsProcessed: 0,
        updatedAt: p.updatedAt,
        parked: 0,
      });
    }
    // `oms projections status` counts with the same code.
    const cli = spawnOms(['projections', 'status', '--json'], {
      DATABASE_URL: app.db.url,
      REDIS_URL,
      OMS_REDIS_PREFIX: app.redisPrefix,
      LOG_LEVEL: 'warn',
    });
    expect(await cli.exited, cli.output()).to.equal(0);
    const status = JSON.parse(cli.stdout().trim().split('\n').at(-1)!);
    expect(status.head).to.equal(before.body.head);
    expect(status.projections.map((p: { name: string; lagEvents: number }) => [p.name, p.lagEvents])).to.deep.equal(
      before.body.projections.map((p) => [p.name, p.lagEvents]),
    );
    expect(before.body.allocationDemand).to.deep.equal({ rows: 0, oldestAt: null });
    expect(before.body.queues.map((q) => q.name)).to.deep.equal(['oms-jobs', 'oms-maintenance']);
    for (const q of before.body.queues) expect(q).to.include({ waiting: 0, active: 0, delayed: 0, failed: 0 });

    expectProblem(await readOnly.get('/v1/operations/projections'), 403, 'insufficient_scope');
    expectProblem(await client(app.baseUrl).get('/v1/operations/projections'), 401, 'unauthenticated');

    // The projector starts: everything is applied but the poison event, which customers parks.
    await app.runtime.start(['projector']);
    const caughtUp = await waitFor(
      () => apiA.get<Status>('/v1/operations/projections'),
      (r) =>
        r.body.projections?.every((p) => p.lagEvents === 0) &&
        r.body.projections.find((p) => p.name === 'customers')?.parked === 1,
      { what: 'every projection caught up, the poison event parked' },
    );
    for (const p of caughtUp.body.projections) {
      expect(p, p.name).to.include({
        position: caughtUp.body.head,
        lagSeconds: 0,
        parked: p.name === 'customers' ? 1 : 0,
      });
    }
    // Tenant B sees the same projections, none of A's parked events.
    const seenByB = await apiB.get<Status>('/v1/operations/projections');
    expect(seenByB.body.projections.map((p) => p.parked)).to.deep.equal(names.map(() => 0));

    const [parked, ...more] = (await apiA.get('/v1/operations/parked-events')).body.data;
    expect(more).to.deep.equal([]);
    expect(parked).to.include({ projection: 'customers', eventType: 'CustomerRegistered', attempts: 3 });
    const retryPath = `/v1/operations/parked-events/${parked.eventId}/retry`;

    expectProblem(await readOnly.post(retryPath), 403, 'insufficient_scope');
    expectProblem(await apiB.post(retryPath), 404, 'parked_event_not_found');
    expectProblem(await apiA.post('/v1/operations/parked-events/no-such-event/retry'), 404, 'parked_event_not_found');
    expectProblem(await apiA.post(`${retryPath}?projection=Bad_Name`), 400, 'validation_failed');

    // Not fixed yet: it fails again and stays parked, with one more attempt.
    const failed = await apiA.post(retryPath);
    expectProblem(failed, 409, 'parked_event_failed');
    expect(failed.body).to.include({
      projection: 'customers',
      eventId: parked.eventId,
      error: 'refused by the test poison trigger',
    });
    const still = (await apiA.get('/v1/operations/parked-events')).body.data;
    expect(still).to.have.length(1);
    expect(still[0]).to.include({ eventId: parked.eventId, attempts: 4, error: 'refused by the test poison trigger' });

    // A later event of the same stream parked behind it is not tried before it.
    await app.db.pool.query(
      `insert into parked_events select projection, 'held-1', position_commit + 1, position_prepare, stream_name,
              revision + 1, tenant, 'CustomerUpdated', 'held back', 1, now(), now() from parked_events where event_id = $1`,
      [parked.eventId],
    );
    const held = await apiA.post('/v1/operations/parked-events/held-1/retry');
    expectProblem(held, 409, 'parked_event_held');
    expect(held.body).to.include({ projection: 'customers', eventId: 'held-1', blockedBy: parked.eventId });
    await app.db.pool.query(`delete from parked_events where event_id = 'held-1'`);

    // Parked by two projections: the caller must say which.
    await app.db.pool.query(
      `insert into parked_events select 'orders', event_id, position_commit, position_prepare, stream_name, revision, tenant,
              event_type, error, attempts, first_failed_at, last_failed_at from parked_events where event_id = $1`,
      [parked.eventId],
    );
    const ambiguous = await apiA.post(retryPath);
    expectProblem(ambiguous, 400, 'projection_required');
    expect(ambiguous.body.projections).to.deep.equal(['customers', 'orders']);
    expectProblem(await apiA.post(`${retryPath}?projection=shipments`), 404, 'parked_event_not_found');
    await app.db.pool.query(`delete from parked_events where projection = 'orders'`);

    // The fix: the retry applies it and unparks it.
    await app.db.pool.query(removePoison);
    const applied = await apiA.post(`${retryPath}?projection=customers`);
    expect(applied.status, applied.text).to.equal(200);
    expect(applied.body).to.deep.equal({ projection: 'customers', eventId: parked.eventId, outcome: 'applied' });
    const customers = await app.db.pool.query('select id from customers where id = $1', [poisoned.body.id]);
    expect(customers.rows).to.have.length(1);
    expect((await apiA.get('/v1/operations/parked-events')).body.data).to.deep.equal([]);
    expect((await app.db.pool.query('select count(*)::int as n from stale_entities')).rows[0].n).to.equal(0);
    const afterFix = await apiA.get<Status>('/v1/operations/projections');
    expect(afterFix.body.projections.find((p) => p.name === 'customers')).to.include({ parked: 0, lagEvents: 0 });
    expectProblem(await apiA.post(retryPath), 404, 'parked_event_not_found');
  });
});
