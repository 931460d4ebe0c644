import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { EventStore } from '../eventstore/port.ts';
import { withDeadline } from '../infra/deadline.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { type ProjectionHealth, projectionHealth } from '../projector/parking.ts';
import type { RateLimiter } from '../http/rate-limiter.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';

export interface OperationsDeps {
  pool: pg.Pool;
  redis: Redis;
  store: EventStore;
  queue: Queue;
  metrics: Metrics;
  openApi: () => Record<string, unknown>;
  rateLimiter: () => RateLimiter | null;
  /** A projection failing for longer than this makes /readyz 503 (0: never). */
  projectionStuckMs: number;
}

class TimedOut extends Error {}
/** What /readyz says publicly about a failed check; the error itself may name hosts, users or databases. */
class PublicReason extends Error {}

/** One readiness check. The public answer carries a generic reason; the real error goes to the log. */
async function check(log: Logger, name: string, fn: () => Promise<unknown>, timeoutMs = 2000) {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new TimedOut(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, ok: true, ms: Date.now() - started };
  } catch (err) {
    log.warn({ check: name, err: (err as Error).message }, 'readiness check failed');
    const error = err instanceof TimedOut ? 'timed out' : err instanceof PublicReason ? err.message : 'unavailable';
    return { name, ok: false, ms: Date.now() - started, error };
  } finally {
    clearTimeout(timer);
  }
}

const readiness = {
  type: 'object',
  required: ['status', 'checks', 'rateLimiting'],
  properties: {
    status: { enum: ['ready', 'unavailable'] },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'ok', 'ms'],
        properties: {
          name: { type: 'string' },
          ok: { type: 'boolean' },
          ms: { type: 'integer' },
          /** Generic: `unavailable`, `timed out`, or for projections `stuck`; the details are logged. */
          error: { type: 'string' },
        },
      },
    },
    rateLimiting: { enum: ['ok', 'failing_open', 'off'] },
    /** Projections failing for longer than OMS_PROJECTION_STUCK_SECONDS (then 503). */
    stuck: {
      type: 'array',
      items: {
        type: 'object',
        required: ['projection', 'failingSince', 'failures'],
        properties: {
          projection: { type: 'string' },
          failingSince: { type: 'string', format: 'date-time' },
          failures: { type: 'integer' },
        },
      },
    },
    /** Projections that moved on past parked events (still ready). */
    degraded: {
      type: 'array',
      items: {
        type: 'object',
        required: ['projection', 'parked'],
        properties: { projection: { type: 'string' }, parked: { type: 'integer' } },
      },
    },
  },
} as const;

/** Unauthenticated operational endpoints. */
export function operationsRoutes(deps: OperationsDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness: the process serves HTTP',
      tag: 'Operations',
      scope: null,
      responses: {
        200: {
          description: 'Alive',
          schema: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } },
        },
      },
      async handler({ ctx }) {
        ctx.body = { status: 'ok' };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/readyz',
      operationId: 'ready',
      summary: 'Readiness: Postgres, Redis and the event store answer, no projection is stuck',
      tag: 'Operations',
      scope: null,
      responses: {
        200: { description: 'Ready (projections with parked events are listed under `degraded`)', schema: readiness },
        // Not a problem+json: the same readiness report, with the failing checks.
        503: { description: 'A dependency is down or a projection is stuck', schema: readiness },
      },
      async handler({ ctx }) {
        let health: ProjectionHealth = { stuck: [], parked: [] };
        const log = ctx.state.log;
        const checks = await Promise.all([
          check(log, 'postgres', () => deps.pool.query('select 1')),
          check(log, 'redis', () => deps.redis.ping()),
          check(log, `eventstore:${deps.store.kind}`, () => deps.store.ping()),
          check(log, 'projections', async () => {
            health = await projectionHealth(deps.pool, deps.projectionStuckMs);
            // Which ones is public: `stuck` lists them.
            if (deps.projectionStuckMs > 0 && health.stuck.length > 0) throw new PublicReason('stuck');
          }),
        ]);
        const ready = checks.every((c) => c.ok);
        ctx.status = ready ? 200 : 503;
        if (!ready) ctx.set('Retry-After', '2');
        const limiter = deps.rateLimiter();
        const rateLimiting = limiter ? (limiter.degraded ? 'failing_open' : 'ok') : 'off';
        ctx.body = {
          status: ready ? 'ready' : 'unavailable',
          checks,
          rateLimiting,
          ...(deps.projectionStuckMs > 0 && health.stuck.length > 0 ? { stuck: health.stuck } : {}),
          ...(health.parked.length > 0 ? { degraded: health.parked } : {}),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tag: 'Operations',
      scope: null,
      responses: {
        200: { description: 'Prometheus text format', contentType: 'text/plain', schema: { type: 'string' } },
      },
      async handler({ ctx }) {
        try {
          const counts = await withDeadline(
            'redis',
            1000,
            deps.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
          );
          for (const [state, n] of Object.entries(counts))
            deps.metrics.queueDepth.set({ queue: deps.queue.name, state }, n);
        } catch {
          // Redis down: serve the other metrics anyway.
        }
        ctx.type = deps.metrics.registry.contentType;
        ctx.body = await deps.metrics.registry.metrics();
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This API as OpenAPI 3.1',
      tag: 'Operations',
      scope: null,
      responses: {
        200: {
          description: 'The OpenAPI document',
          schema: {
            type: 'object',
            required: ['openapi', 'info', 'paths', 'components'],
            properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
          },
        },
      },
      async handler({ ctx }) {
        ctx.body = deps.openApi();
      },
    }),
  ];
}
