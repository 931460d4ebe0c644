import type { Queue } from 'bullmq';
import type { RecordedEvent } from '../eventstore/port.ts';
import type { Projection } from '../projector/projection.ts';
import { eventRefOf } from './event-ref.ts';
import { jobIdFor, type JobHandler } from './handler.ts';

export const DISPATCHER_NAME = 'job-dispatcher';

/**
 * The dispatcher is a checkpointed subscription like any projection: for each event it enqueues
 * one job per interested handler, with a job id derived from event id + handler. If it crashes
 * after enqueueing and before its checkpoint commits, the same ids are enqueued again: BullMQ
 * drops a duplicate id while the job exists, and handlers are idempotent for the rest.
 * A job carries a reference to its event only (see event-ref.ts): no personal data in Redis.
 */
export function dispatcherProjection(queue: Queue, handlers: readonly JobHandler[]): Projection {
  const byType = new Map<string, JobHandler[]>();
  for (const h of handlers) for (const t of h.handles) byType.set(t, [...(byType.get(t) ?? []), h]);
  return {
    name: DISPATCHER_NAME,
    handles: [...byType.keys()],
    tables: [],
    async apply(trx, events) {
      const wants = new Map<JobHandler, (e: RecordedEvent) => boolean>();
      for (const h of handlers) {
        if (h.wants && events.some((e) => h.handles.includes(e.type))) wants.set(h, await h.wants(trx, events));
      }
      const jobs = events.flatMap((e) => {
        const data = eventRefOf(e);
        return (byType.get(e.type) ?? [])
          .filter((h) => wants.get(h)?.(e) ?? true)
          .map((h) => ({
            name: h.name,
            data,
            opts: {
              jobId: jobIdFor(h.name, e.id),
              attempts: h.attempts ?? 10,
              backoff: { type: 'exponential', delay: h.backoffMs ?? 1000 },
              // Completed jobs stay a day so a re-dispatch of the same id is recognised.
              removeOnComplete: { age: 24 * 3600 },
              // Exhausted jobs are never dropped: they stay in the failed set for operators.
              removeOnFail: false,
            },
          }));
      });
      if (jobs.length > 0) await queue.addBulk(jobs);
    },
  };
}
