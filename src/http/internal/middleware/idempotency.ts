import { createHash } from 'node:crypto';
import type { Middleware, ParameterizedContext } from 'koa';
import type pg from 'pg';
import type { PendingIdempotencyRecord } from '../../../commands/context.ts';
import { customerNamedBy, IDEMPOTENCY_RETENTION_SQL } from '../../../commands/idempotency-records.ts';
import { IdempotencyKeyTakenError } from '../../../eventstore/port.ts';
import { HttpProblem } from '../../problem.ts';
import { toProblem } from './problem.ts';
import type { AppState } from '../../state.ts';

const KEY = /^[\x21-\x7e]{1,255}$/;
const RETENTION = IDEMPOTENCY_RETENTION_SQL;
const LEASE_SECONDS = 60;
/** The key's first use in ms: the time part of the ids its request derives. */
const SINCE = '(extract(epoch from created_at) * 1000)::bigint as since';
const REPLAYED_HEADERS = ['etag', 'oms-position', 'location'];

/** Canonical JSON (sorted keys): the same body with keys in another order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface Row {
  fingerprint: string;
  state: 'running' | 'done';
  lease_live: boolean;
  expired: boolean;
  response_status: number | null;
  response_body: unknown;
  response_headers: Record<string, string> | null;
}

/**
 * Idempotency-Key on POST, per tenant: the first response (status, body, key headers) is stored
 * and replayed for 24 h (then purged by a scheduled job); another body under the same key is 422; a key whose first request is
 * still running is 409. A request that failed with a 5xx releases its lease so it can be retried.
 *
 * `inAppend` (routes whose first write is one command's append, on a store that can record keys):
 * a new key is not claimed up front but recorded by that append, in its transaction (see
 * AppendOptions.idempotencyRecord): one write fewer, and no claim left behind by a request that
 * dies before it appends. A concurrent request with the same key loses at the append
 * (IdempotencyKeyTakenError, nothing written) and gets the answer a claimed key gives.
 */
export function idempotency(pool: pg.Pool, opts: { inAppend?: boolean } = {}): Middleware<AppState> {
  const run: Middleware<AppState> = async (ctx, next) => {
    // An empty header is a client bug (an unset variable), not "no key": refused like a bad key.
    if (ctx.headers['idempotency-key'] === undefined) return next();
    const key = ctx.get('Idempotency-Key');
    if (!KEY.test(key)) {
      throw new HttpProblem(400, 'validation_failed', 'Idempotency-Key must be 1-255 visible ASCII characters', {
        errors: [{ path: 'header:Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }],
      });
    }
    const tenant = ctx.state.principal!.tenant;
    const fingerprint = createHash('sha256')
      .update(`${ctx.method} ${ctx.path}\n${canonical(ctx.state.body ?? null)}`)
      .digest('hex');

    let record: PendingIdempotencyRecord | undefined;
    let since: number | 'answered' | 'again';
    if (opts.inAppend) {
      const row = await lookup(pool, tenant, key);
      if (row) since = await known(ctx, pool, tenant, key, fingerprint, row);
      else {
        since = Date.now();
        record = { write: { tenant, key, fingerprint, since, leaseSeconds: LEASE_SECONDS }, written: false };
      }
    } else {
      const claimed = await claim(pool, tenant, key, fingerprint);
      if (claimed !== null) since = claimed;
      else {
        const row = await lookup(pool, tenant, key);
        since = row ? await known(ctx, pool, tenant, key, fingerprint, row) : 'again'; // released meanwhile
      }
    }
    if (since === 'again') return run(ctx, next);
    if (since === 'answered') return;
    // Commands under this key derive their ids from it: a retry of a request that was written but
    // never answered (crash, lost connection, a 5xx that released the key) writes nothing twice.
    ctx.state.idempotency = {
      seed: createHash('sha256').update(`${tenant}\n${key}\n${fingerprint}`).digest('hex'),
      since,
      ...(record ? { record } : {}),
    };
    // Whether the key's record exists (claimed, taken over, or written by the append).
    const recorded = () => !record || record.written;

    // A fault ends the lease at once, so the client's retry takes over (same request, same
    // first-use time, same derived ids) instead of waiting for the lease to run out.
    const release = () =>
      pool.query('update idempotency_keys set locked_until = now() where tenant = $1 and key = $2', [tenant, key]);
    try {
      await next();
    } catch (err) {
      // Another request with this key recorded it first: answer as a claimed key does.
      if (err instanceof IdempotencyKeyTakenError) {
        ctx.state.idempotency = undefined;
        return run(ctx, next);
      }
      // A refusal (4xx) is the request's answer and is replayed like a success; a fault is not.
      const problem = toProblem(err);
      if (problem.status < 500)
        await store(pool, recorded(), fingerprint, since, tenant, key, problem.status, problem.body(ctx.path), {});
      else if (recorded()) await release().catch(() => {});
      throw err;
    }
    if (ctx.status >= 500) {
      if (recorded()) await release();
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of REPLAYED_HEADERS) {
      const v = ctx.response.get(h);
      if (v) headers[h] = v;
    }
    await store(pool, recorded(), fingerprint, since, tenant, key, ctx.status, ctx.body ?? null, headers);
  };
  return run;
}

async function lookup(pool: pg.Pool, tenant: string, key: string): Promise<Row | undefined> {
  const res = await pool.query<Row>({
    name: 'idempotency_lookup',
    text: `select fingerprint, state, locked_until > now() as lease_live, created_at < now() - ${RETENTION} as expired,
                  response_status, response_body, response_headers
             from idempotency_keys where tenant = $1 and key = $2`,
    values: [tenant, key],
  });
  return res.rows[0];
}

/**
 * A key already recorded: replays its answer ('answered'), refuses (throws), or takes over an
 * expired record or a dead request's lease and returns the key's first-use time; 'again' when the
 * record went away meanwhile.
 */
async function known(
  ctx: ParameterizedContext<AppState>,
  pool: pg.Pool,
  tenant: string,
  key: string,
  fingerprint: string,
  row: Row,
): Promise<number | 'answered' | 'again'> {
  if (row.fingerprint !== fingerprint && !row.expired) {
    throw new HttpProblem(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  }
  if (row.state === 'done' && !row.expired) {
    ctx.status = row.response_status!;
    for (const [k, v] of Object.entries(row.response_headers ?? {})) ctx.set(k, v);
    ctx.set('Idempotent-Replayed', 'true');
    if (ctx.status >= 400) ctx.type = 'application/problem+json';
    ctx.body = row.response_body;
    return 'answered';
  }
  if (row.state === 'running' && row.lease_live) {
    throw new HttpProblem(
      409,
      'idempotency_key_in_use',
      'a request with this Idempotency-Key is still being processed',
      {
        headers: { 'Retry-After': '1' },
      },
    );
  }
  // An expired record, or a lease left behind by a crashed process: take it over. The same
  // request keeps its first-use time, so the ids it derives (see above) stay the same.
  const taken = await pool.query<{ since: string }>(
    `update idempotency_keys set fingerprint = $3, state = 'running', locked_until = now() + interval '${LEASE_SECONDS} seconds',
            created_at = case when fingerprint = $3 and created_at >= now() - ${RETENTION} then created_at else now() end,
            response_status = null, response_body = null, response_headers = null, customer_id = null
      where tenant = $1 and key = $2 and (locked_until <= now() or created_at < now() - ${RETENTION} or state = 'done')
      returning ${SINCE}`,
    [tenant, key, fingerprint],
  );
  return taken.rowCount === 1 ? Number(taken.rows[0]!.since) : 'again';
}

/**
 * Stores the answer in the key's record: an update when the record exists (`recorded`), else an
 * insert (a request whose command appended nothing), which yields to a record made meanwhile.
 * synchronous_commit off: the answer is not worth a WAL flush on the request path. Lost in a
 * database crash, the record is back to `running` and the client's retry, once the lease is over,
 * takes it over and finds what the first attempt wrote (same derived ids).
 */
async function store(
  pool: pg.Pool,
  recorded: boolean,
  fingerprint: string,
  since: number,
  tenant: string,
  key: string,
  status: number,
  body: unknown,
  headers: Record<string, string>,
) {
  const values = [tenant, key, status, JSON.stringify(body), JSON.stringify(headers), customerNamedBy(body)];
  // customer_id: so that forgetting the customer deletes the record with its copy of their data.
  await pool.query(
    recorded
      ? {
          name: 'idempotency_store',
          text: `update idempotency_keys set state = 'done', response_status = $3, response_body = $4::jsonb,
                        response_headers = $5::jsonb, customer_id = $6
                   from (select set_config('synchronous_commit', 'off', true)) async_commit
                  where tenant = $1 and key = $2`,
          values,
        }
      : {
          name: 'idempotency_store_new',
          text: `insert into idempotency_keys (tenant, key, fingerprint, state, locked_until, created_at,
                                               response_status, response_body, response_headers, customer_id)
                 select $1, $2, $7, 'done', now(), to_timestamp($8 / 1000.0), $3, $4::jsonb, $5::jsonb, $6
                   from (select set_config('synchronous_commit', 'off', true)) async_commit
                 on conflict (tenant, key) do nothing`,
          values: [...values, fingerprint, since],
        },
  );
}

/** Claims the key for this request; returns its first-use time (ms), or null when it is already known. */
async function claim(pool: pg.Pool, tenant: string, key: string, fingerprint: string): Promise<number | null> {
  const res = await pool.query<{ since: string }>(
    `insert into idempotency_keys (tenant, key, fingerprint, state, locked_until)
     values ($1, $2, $3, 'running', now() + interval '${LEASE_SECONDS} seconds')
     on conflict (tenant, key) do nothing
     returning ${SINCE}`,
    [tenant, key, fingerprint],
  );
  return res.rowCount === 1 ? Number(res.rows[0]!.since) : null;
}
