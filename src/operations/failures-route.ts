import type { Queue } from 'bullmq';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { EventStore } from '../eventstore/port.ts';
import { HttpProblem } from '../http/problem.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { listOf } from '../http/schemas.ts';
import { retryParkedEvent } from '../projector/parking.ts';
import type { Projection } from '../projector/projection.ts';

// A tenant's own failures, for its operators (and the console's Operations page): the events a read
// model parked and the background jobs that used up their attempts, with a retry for a failed job.
// Only the caller's tenant is ever read or touched; everything else answers as if it did not exist.
// A parked event is retried through the code of `oms projections retry-parked` (projector/parking.ts).

/** Failed jobs are looked for among the newest this many (all tenants share one queue). */
const FAILED_SCAN = 1000;

const parkedEvent = {
  type: 'object',
  required: [
    'projection',
    'eventId',
    'eventType',
    'stream',
    'revision',
    'error',
    'attempts',
    'firstFailedAt',
    'lastFailedAt',
  ],
  properties: {
    projection: { type: 'string' },
    eventId: { type: 'string' },
    eventType: { type: 'string' },
    stream: { type: 'string' },
    revision: { type: 'integer' },
    error: { type: 'string' },
    attempts: { type: 'integer' },
    firstFailedAt: { type: 'string', format: 'date-time' },
    lastFailedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const failedJob = {
  type: 'object',
  required: ['id', 'handler', 'eventType', 'eventId', 'attempts', 'failedReason', 'failedAt'],
  properties: {
    id: { type: 'string' },
    handler: { type: 'string' },
    eventType: { type: ['string', 'null'] },
    eventId: { type: ['string', 'null'] },
    attempts: { type: 'integer' },
    failedReason: { type: 'string' },
    failedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const jobParams = {
  type: 'object',
  required: ['jobId'],
  properties: { jobId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,200}$' } },
} as const;

interface JobData {
  tenant?: string;
  type?: string;
  id?: string;
}

const parkedParams = {
  type: 'object',
  required: ['eventId'],
  properties: { eventId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,200}$' } },
} as const;

const parkedQuery = {
  type: 'object',
  properties: {
    /** Which projection's parked row: needed only when several projections parked the event. */
    projection: { type: 'string', pattern: '^[a-z0-9-]{1,100}$' },
  },
} as const;

const parkedNotFound = (id: string) =>
  new HttpProblem(404, 'parked_event_not_found', `no parked event ${id} was found`);

const jobNotFound = (id: string) => new HttpProblem(404, 'job_not_found', `job ${id} was not found`);

export function failuresRoutes(deps: {
  pool: pg.Pool;
  knex: Knex;
  store: EventStore;
  queue: Queue;
  /** Every projection that parks events (read models and the job dispatcher). */
  projections: () => Projection[];
}): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/operations/parked-events',
      operationId: 'listParkedEvents',
      summary: "Events of the caller's tenant a read model could not apply and parked, in log order",
      tag: 'Operations',
      scope: 'operations:manage',
      responses: { 200: { description: 'Parked events (at most 200)', schema: listOf(parkedEvent) } },
      async handler({ ctx }) {
        const rows = await deps.pool.query<{
          projection: string;
          event_id: string;
          event_type: string;
          stream_name: string;
          revision: string;
          error: string;
          attempts: number;
          first_failed_at: Date;
          last_failed_at: Date;
        }>(
          `select projection, event_id, event_type, stream_name, revision, error, attempts, first_failed_at, last_failed_at
             from parked_events where tenant = $1
            order by position_commit, position_prepare, projection limit 200`,
          [ctx.state.principal!.tenant],
        );
        ctx.body = {
          data: rows.rows.map((r) => ({
            projection: r.projection,
            eventId: r.event_id,
            eventType: r.event_type,
            // `<category>:<id>`: the stream name without its tenant.
            stream: r.stream_name.slice(r.stream_name.indexOf(':') + 1),
            revision: Number(r.revision),
            error: r.error,
            attempts: r.attempts,
            firstFailedAt: r.first_failed_at.toISOString(),
            lastFailedAt: r.last_failed_at.toISOString(),
          })),
          nextCursor: null,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/operations/failed-jobs',
      operationId: 'listFailedJobs',
      summary: "Background jobs of the caller's tenant that used up their attempts, newest first",
      tag: 'Operations',
      scope: 'operations:manage',
      responses: { 200: { description: 'Failed jobs (at most 200)', schema: listOf(failedJob) } },
      async handler({ ctx }) {
        const tenant = ctx.state.principal!.tenant;
        const jobs = (await deps.queue.getFailed(0, FAILED_SCAN - 1)).filter(
          (j) => j && (j.data as JobData).tenant === tenant,
        );
        ctx.body = {
          data: jobs.slice(0, 200).map((j) => ({
            id: String(j.id),
            handler: j.name,
            eventType: (j.data as JobData).type ?? null,
            eventId: (j.data as JobData).id ?? null,
            attempts: j.attemptsMade,
            failedReason: j.failedReason ?? '',
            failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
          })),
          nextCursor: null,
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/operations/failed-jobs/:jobId/retry',
      operationId: 'retryFailedJob',
      summary: 'Put a failed job of the caller’s tenant back in the queue (its handler is idempotent)',
      tag: 'Operations',
      scope: 'operations:manage',
      params: jobParams,
      responses: {
        202: {
          description: 'Queued again',
          schema: {
            type: 'object',
            required: ['id', 'status'],
            properties: { id: { type: 'string' }, status: { const: 'waiting' } },
          },
        },
      },
      async handler({ ctx, params }) {
        const job = await deps.queue.getJob(params.jobId);
        if (!job || (job.data as JobData).tenant !== ctx.state.principal!.tenant) throw jobNotFound(params.jobId);
        if ((await job.getState()) !== 'failed')
          throw new HttpProblem(409, 'job_not_failed', `job ${params.jobId} has not failed`);
        await job.retry('failed');
        ctx.status = 202;
        ctx.body = { id: params.jobId, status: 'waiting' };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/operations/parked-events/:eventId/retry',
      operationId: 'retryParkedEvent',
      summary: 'Apply a parked event of the caller’s tenant again (as `oms projections retry-parked` does)',
      tag: 'Operations',
      scope: 'operations:manage',
      params: parkedParams,
      query: parkedQuery,
      responses: {
        200: {
          description:
            'Applied and unparked. Later events of its stream the projector held back behind it stay parked: retry them in turn',
          schema: {
            type: 'object',
            required: ['projection', 'eventId', 'outcome'],
            properties: { projection: { type: 'string' }, eventId: { type: 'string' }, outcome: { const: 'applied' } },
          },
        },
        400: { description: 'Several projections parked this event: name one with `?projection=`' },
        409: {
          description:
            'It failed again (`parked_event_failed`: it stays parked with its new error), an earlier event of its stream is parked (`parked_event_held`), or the event is no longer in the log (`parked_event_missing`)',
        },
      },
      async handler({ ctx, params, query }) {
        const tenant = ctx.state.principal!.tenant;
        // The parked table's key is (projection, event_id): one event may be parked by several.
        const rows = await deps.pool.query<{ projection: string }>(
          'select projection from parked_events where tenant = $1 and event_id = $2 order by projection',
          [tenant, params.eventId],
        );
        const names = rows.rows.map((r) => r.projection);
        let name: string;
        if (query.projection !== undefined) {
          if (!names.includes(query.projection)) throw parkedNotFound(params.eventId);
          name = query.projection;
        } else if (names.length === 1) name = names[0]!;
        else if (names.length === 0) throw parkedNotFound(params.eventId);
        else
          throw new HttpProblem(
            400,
            'projection_required',
            `event ${params.eventId} is parked by ${names.join(', ')}: name one with ?projection=`,
            { projections: names },
          );
        const projection = deps.projections().find((p) => p.name === name);
        if (!projection)
          throw new HttpProblem(409, 'projection_unknown', `projection ${name} does not run in this version`);
        const r = await retryParkedEvent(deps.knex, deps.store, projection, params.eventId, tenant);
        if (!r) throw parkedNotFound(params.eventId); // applied meanwhile by another retry
        const extras = { projection: name, eventId: params.eventId };
        if (r.outcome === 'failed')
          throw new HttpProblem(409, 'parked_event_failed', `it failed again and stays parked: ${r.error}`, {
            ...extras,
            error: r.error,
          });
        if (r.outcome === 'held')
          throw new HttpProblem(
            409,
            'parked_event_held',
            `an earlier event of its stream (${r.blockedBy}) is parked by ${name}: retry that one first`,
            { ...extras, blockedBy: r.blockedBy },
          );
        if (r.outcome === 'missing')
          throw new HttpProblem(
            409,
            'parked_event_missing',
            'the event is no longer at its place in its stream; it stays parked',
            extras,
          );
        ctx.body = { ...extras, outcome: 'applied' };
      },
    }),
  ];
}
