import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type pg from 'pg';
import { customerNamedBy, IDEMPOTENCY_RETENTION_SQL } from '../../../commands/idempotency-records.ts';
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
 */
export function idempotency(pool: pg.Pool): Middleware<AppState> {
  return async (ctx, next) => {
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

    let since = await claim(pool, tenant, key, fingerprint);
    if (since === null) {
      const row = (
        await pool.query<Row>(
          `select fingerprint, state, locked_until > now() as lease_live, created_at < now() - ${RETENTION} as expired,
                  response_status, response_body, response_headers
             from idempotency_keys where tenant = $1 and key = $2`,
          [tenant, key],
        )
      ).rows[0];
      if (!row) return idempotency(pool)(ctx, next); // released meanwhile: try again
      if (row.fingerprint !== fingerprint && !row.expired) {
        throw new HttpProblem(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      }
      if (row.state === 'done' && !row.expired) {
        ctx.status = row.response_status!;
        for (const [k, v] of Object.entries(row.response_headers ?? {})) ctx.set(k, v);
        ctx.set('Idempotent-Replayed', 'true');
        if (ctx.status >= 400) ctx.type = 'application/problem+json';
        ctx.body = row.response_body;
        return;
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
      // request keeps its first-use time, so the ids it derives (see below) stay the same.
      const taken = await pool.query<{ since: string }>(
        `update idempotency_keys set fingerprint = $3, state = 'running', locked_until = now() + interval '${LEASE_SECONDS} seconds',
                created_at = case when fingerprint = $3 and created_at >= now() - ${RETENTION} then created_at else now() end,
                response_status = null, response_body = null, response_headers = null, customer_id = null
          where tenant = $1 and key = $2 and (locked_until <= now() or created_at < now() - ${RETENTION} or state = 'done')
          returning ${SINCE}`,
        [tenant, key, fingerprint],
      );
      if (taken.rowCount !== 1) return idempotency(pool)(ctx, next);
      since = Number(taken.rows[0]!.since);
    }
    // Commands under this key derive their ids from it: a retry of a request that was written but
    // never answered (crash, lost connection, a 5xx that released the key) writes nothing twice.
    ctx.state.idempotency = {
      seed: createHash('sha256').update(`${tenant}\n${key}\n${fingerprint}`).digest('hex'),
      since,
    };

    // A fault ends the lease at once, so the client's retry takes over (same request, same
    // first-use time, same derived ids) instead of waiting for the lease to run out.
    const release = () =>
      pool.query('update idempotency_keys set locked_until = now() where tenant = $1 and key = $2', [tenant, key]);
    try {
      await next();
    } catch (err) {
      // A refusal (4xx) is the request's answer and is replayed like a success; a fault is not.
      const problem = toProblem(err);
      if (problem.status < 500) await store(pool, tenant, key, problem.status, problem.body(ctx.path), {});
      else await release().catch(() => {});
      throw err;
    }
    if (ctx.status >= 500) {
      await release();
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of REPLAYED_HEADERS) {
      const v = ctx.response.get(h);
      if (v) headers[h] = v;
    }
    await store(pool, tenant, key, ctx.status, ctx.body ?? null, headers);
  };
}

async function store(
  pool: pg.Pool,
  tenant: string,
  key: string,
  status: number,
  body: unknown,
  headers: Record<string, string>,
) {
  // customer_id: so that forgetting the customer deletes the record with its copy of their data.
  await pool.query(
    `update idempotency_keys set state = 'done', response_status = $3, response_body = $4::jsonb, response_headers = $5::jsonb,
            customer_id = $6
      where tenant = $1 and key = $2`,
    [tenant, key, status, JSON.stringify(body), JSON.stringify(headers), customerNamedBy(body)],
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
