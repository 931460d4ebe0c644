import { Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import type { Knex } from 'knex';
import type { Config } from '../config/config.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../observability/logger.ts';
import type { JobEvent, JobHandler } from './handler.ts';

export const QUEUE_NAME = 'oms-jobs';

export interface WorkerDeps {
  connection: ConnectionOptions;
  prefix: string;
  handlers: readonly JobHandler[];
  store: EventStore;
  knex: Knex;
  queue: Queue;
  config: Config;
  logger: Logger;
  concurrency?: number;
}

/**
 * Runs jobs with the handler named by the job. A job already recorded in processed_jobs is not
 * run again (BullMQ may redeliver after a crash between the side effect and the ack).
 */
export function startWorker(deps: WorkerDeps): Worker {
  const handlers = new Map(deps.handlers.map((h) => [h.name, h]));
  const worker = new Worker(
    QUEUE_NAME,
    async (job: Job<JobEvent>) => {
      const handler = handlers.get(job.name);
      if (!handler) throw new Error(`no handler named ${job.name}`);
      const jobId = job.id!;
      const done = await deps.knex('processed_jobs').where({ job_id: jobId }).first();
      if (done) return;
      await handler.handle(job.data, {
        store: deps.store,
        knex: deps.knex,
        queue: deps.queue,
        config: deps.config,
        logger: deps.logger.child({
          job: job.name,
          jobId,
          eventId: job.data.id,
          correlationId: job.data.metadata?.correlationId,
        }),
        attempt: job.attemptsMade + 1,
        jobId,
      });
      await deps.knex('processed_jobs').insert({ job_id: jobId }).onConflict('job_id').ignore();
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency ?? 8,
      autorun: true,
      // A job whose worker died is handed on once its lock lapses (checked at the same pace).
      lockDuration: deps.config.workerLockMs,
      stalledInterval: deps.config.workerLockMs,
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, err) => {
    const exhausted = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    deps.logger[exhausted ? 'error' : 'warn'](
      { err, job: job?.name, jobId: job?.id, attemptsMade: job?.attemptsMade, exhausted },
      exhausted ? 'job failed for good; kept in the failed set' : 'job failed; will retry',
    );
  });
  worker.on('error', (err) => deps.logger.error({ err }, 'worker error'));
  return worker;
}
