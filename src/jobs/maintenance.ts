import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Knex } from 'knex';
import { purgeExpiredIdempotencyRecords } from '../commands/idempotency-records.ts';
import type { Logger } from '../observability/logger.ts';

// Housekeeping on a schedule, on its own queue: repeatable BullMQ jobs (one schedule per name, however
// many workers set it up), kept apart from the event jobs so their queue still drains to empty.

export const MAINTENANCE_QUEUE = 'oms-maintenance';

interface MaintenanceJob {
  name: string;
  everyMs: number;
  /** Must be safe to run any number of times, and in several processes at once. */
  run(knex: Knex, logger: Logger): Promise<void>;
}

export const maintenanceJobs: readonly MaintenanceJob[] = [
  {
    name: 'idempotency-purge',
    everyMs: 10 * 60_000,
    async run(knex, logger) {
      // Bounded: a backlog is worked off over several runs rather than in one long job.
      const deleted = await purgeExpiredIdempotencyRecords(knex, { batchSize: 1000, maxBatches: 100 });
      if (deleted > 0) logger.info({ deleted }, 'purged expired idempotency records');
    },
  },
];

export interface Maintenance {
  close(): Promise<void>;
}

export function startMaintenance(deps: {
  connection: ConnectionOptions;
  prefix: string;
  knex: Knex;
  logger: Logger;
}): Maintenance {
  const jobs = new Map(maintenanceJobs.map((j) => [j.name, j]));
  const queue = new Queue(MAINTENANCE_QUEUE, { connection: deps.connection, prefix: deps.prefix });
  queue.on('error', (err) => deps.logger.warn({ err: err.message }, 'maintenance queue error'));
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      const j = jobs.get(job.name);
      if (!j) throw new Error(`no maintenance job named ${job.name}`);
      await j.run(deps.knex, deps.logger.child({ job: job.name }));
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => deps.logger.warn({ err, job: job?.name }, 'maintenance job failed'));
  worker.on('error', (err) => deps.logger.error({ err }, 'maintenance worker error'));
  for (const j of maintenanceJobs) {
    queue
      .upsertJobScheduler(
        j.name,
        { every: j.everyMs },
        { name: j.name, opts: { removeOnComplete: 100, removeOnFail: 100 } },
      )
      .catch((err: unknown) => deps.logger.error({ err, job: j.name }, 'could not schedule a maintenance job'));
  }
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
