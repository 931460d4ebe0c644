import type { Queue } from 'bullmq';
import type { Knex } from 'knex';
import type pg from 'pg';
import { type EventStore, formatPosition } from '../eventstore/port.ts';
import { withDeadline } from '../infra/deadline.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { lagSeconds, projectionLags } from '../projector/lag.ts';

// The projectors' progress for the console's Operations page, polled every few seconds: per
// projection its checkpoint against the log head (projector/lag.ts, the code behind
// `oms projections status`), the caller's parked events, the allocator's backlog and the job queues.
// Projections and queues are shared by every tenant, so their positions, lag and job counts are the
// same for everyone (and no secret: /metrics publishes lag and queue depth unauthenticated); what
// belongs to a tenant (parked events, allocation demand) is counted for the caller's tenant only,
// as GET /v1/operations/parked-events lists it.

/**
 * Events counted past a checkpoint at most (then `lagCapped`): the count reads the events, and the
 * page polls this route, so a projector far behind costs a bounded read per poll.
 */
export const LAG_COUNT_CAP = 10_000;

const projectionStatus = {
  type: 'object',
  required: ['name', 'position', 'lagEvents', 'lagCapped', 'lagSeconds', 'eventsProcessed', 'updatedAt', 'parked'],
  properties: {
    name: { type: 'string' },
    /** The checkpoint (`<commit>-<prepare>`), null before the first event. */
    position: { type: ['string', 'null'] },
    lagEvents: { type: 'integer', minimum: 0 },
    /** More than LAG_COUNT_CAP events are pending: lagEvents is a floor. */
    lagCapped: { type: 'boolean' },
    /** Age of the oldest event not applied yet, as of `at` (0 when caught up). */
    lagSeconds: { type: 'number', minimum: 0 },
    eventsProcessed: { type: 'integer' },
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
    /** The caller's tenant's events this projection parked. */
    parked: { type: 'integer', minimum: 0 },
  },
} as const;

const queueCounts = {
  type: 'object',
  required: ['name', 'waiting', 'active', 'delayed', 'failed'],
  properties: {
    name: { type: 'string' },
    // null: Redis did not answer in time (the rest of the report is still served).
    waiting: { type: ['integer', 'null'] },
    active: { type: ['integer', 'null'] },
    delayed: { type: ['integer', 'null'] },
    failed: { type: ['integer', 'null'] },
  },
} as const;

const status = {
  type: 'object',
  required: ['at', 'head', 'projections', 'allocationDemand', 'queues'],
  properties: {
    /** When the figures were taken: lagSeconds is measured to this instant. */
    at: { type: 'string', format: 'date-time' },
    /** The log head (`<commit>-<prepare>`), null when the log is empty. */
    head: { type: ['string', 'null'] },
    projections: { type: 'array', items: projectionStatus },
    allocationDemand: {
      type: 'object',
      required: ['rows', 'oldestAt'],
      properties: {
        /** Rows of the caller's tenant in allocation_demand: work the allocators have not decided yet. */
        rows: { type: 'integer', minimum: 0 },
        oldestAt: { type: ['string', 'null'], format: 'date-time' },
      },
    },
    queues: { type: 'array', items: queueCounts },
  },
} as const;

export function projectionsStatusRoute(deps: {
  knex: Knex;
  pool: pg.Pool;
  store: EventStore;
  queues: () => Queue[];
  projectionNames: () => string[];
}): RouteDef {
  return defineRoute({
    method: 'GET',
    path: '/v1/operations/projections',
    operationId: 'getProjectionsStatus',
    summary:
      'Per projection its checkpoint, lag behind the log head and the caller’s parked events; the allocation backlog and job queue counts',
    tag: 'Operations',
    scope: 'operations:manage',
    responses: { 200: { description: 'The figures as of `at`', schema: status } },
    async handler({ ctx }) {
      const tenant = ctx.state.principal!.tenant;
      const [lag, parked, demand, queues] = await Promise.all([
        projectionLags(deps.knex, deps.store, deps.projectionNames(), LAG_COUNT_CAP),
        deps.pool.query<{ projection: string; n: number }>(
          'select projection, count(*)::int as n from parked_events where tenant = $1 group by projection',
          [tenant],
        ),
        deps.pool.query<{ n: number; oldest: Date | null }>(
          'select count(*)::int as n, min(created_at) as oldest from allocation_demand where tenant = $1',
          [tenant],
        ),
        Promise.all(
          deps.queues().map(async (q) => {
            try {
              const c = await withDeadline('redis', 1000, q.getJobCounts('waiting', 'active', 'delayed', 'failed'));
              return {
                name: q.name,
                waiting: c.waiting ?? 0,
                active: c.active ?? 0,
                delayed: c.delayed ?? 0,
                failed: c.failed ?? 0,
              };
            } catch {
              return { name: q.name, waiting: null, active: null, delayed: null, failed: null };
            }
          }),
        ),
      ]);
      // After the reads: no pending event can look younger than it is.
      const at = new Date();
      const parkedBy = new Map(parked.rows.map((r) => [r.projection, r.n]));
      ctx.body = {
        at: at.toISOString(),
        head: lag.head ? formatPosition(lag.head) : null,
        projections: lag.projections.map((p) => ({
          name: p.name,
          position: p.position ? formatPosition(p.position) : null,
          lagEvents: p.lagEvents,
          lagCapped: p.lagCapped,
          lagSeconds: lagSeconds(p, at),
          eventsProcessed: p.eventsProcessed,
          updatedAt: p.updatedAt?.toISOString() ?? null,
          parked: parkedBy.get(p.name) ?? 0,
        })),
        allocationDemand: { rows: demand.rows[0]!.n, oldestAt: demand.rows[0]!.oldest?.toISOString() ?? null },
        queues,
      };
    },
  });
}
