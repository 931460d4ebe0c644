// The per-order allocation jobs of earlier releases. Allocation now works from the allocation_demand
// queue (allocation-demand.ts, allocation-runner.ts) and no new job of these kinds is enqueued
// (they handle no event type). Jobs enqueued before an upgrade still run: each turns its event
// into demand rows, so the allocators decide it with everything else.
import type { RecordedEvent } from '../eventstore/port.ts';
import type { JobContext, JobEvent, JobHandler } from '../jobs/handler.ts';
import { demandOf, insertDemand } from './allocation-demand.ts';

const asDemand = (event: JobEvent, ctx: JobContext) =>
  insertDemand(
    ctx.knex,
    demandOf({
      ...event,
      position: { commit: 0n, prepare: 0n },
      createdAt: new Date(event.createdAt),
    } as RecordedEvent),
  );

export const allocateOrderJob: JobHandler = {
  name: 'allocate-order',
  handles: [],
  attempts: 12,
  backoffMs: 200,
  handle: asDemand,
};

export const drainBackordersJob: JobHandler = {
  name: 'drain-backorders',
  handles: [],
  attempts: 12,
  backoffMs: 200,
  handle: asDemand,
};
