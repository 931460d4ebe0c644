import { purgeExpiredIdempotencyRecords } from '../commands/idempotency-records.ts';
import type { JobHandler } from './handler.ts';

/** Deletes idempotency records past retention; the worker runs it on a schedule, not after events. */
export const idempotencyPurgeJob: JobHandler = {
  name: 'idempotency-purge',
  handles: [],
  everyMs: 10 * 60_000,
  async handle(_event, ctx) {
    // Bounded: a backlog is worked off over several runs rather than in one long job.
    const deleted = await purgeExpiredIdempotencyRecords(ctx.knex, { batchSize: 1000, maxBatches: 100 });
    if (deleted > 0) ctx.logger.info({ deleted }, 'purged expired idempotency records');
  },
};
