import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfigWithoutKeys } from '../config/config.ts';
import { QUEUE_NAME } from '../jobs/worker.ts';
import { UsageError } from './api-keys.ts';

async function withQueue<T>(fn: (q: Queue) => Promise<T>): Promise<T> {
  const config = loadConfigWithoutKeys();
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAME, { connection, prefix: config.redisPrefix });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** `oms jobs status`: jobs per state. */
export async function jobsStatus(opts: { json?: boolean }): Promise<void> {
  const counts = await withQueue((q) => q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'));
  process.stdout.write(
    opts.json
      ? `${JSON.stringify(counts)}\n`
      : `${Object.entries(counts)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n')}\n`,
  );
}

/** `oms jobs failed`: exhausted jobs, kept for operators. */
export async function jobsFailed(opts: { json?: boolean; limit?: string }): Promise<void> {
  const limit = Number(opts.limit ?? 50);
  const jobs = await withQueue((q) => q.getFailed(0, limit - 1));
  const rows = jobs.map((j) => ({
    id: j.id,
    handler: j.name,
    eventType: (j.data as { type?: string }).type,
    attempts: j.attemptsMade,
    failedReason: j.failedReason,
    finishedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
  }));
  if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else if (rows.length === 0) process.stdout.write('no failed jobs\n');
  else
    for (const r of rows) process.stdout.write(`${r.id}  ${r.attempts} attempts  ${r.finishedAt}  ${r.failedReason}\n`);
}

/** `oms jobs retry <id>` or `--all`: put failed jobs back in the queue. */
export async function jobsRetry(id: string | undefined, opts: { all?: boolean }): Promise<void> {
  if (!id && !opts.all) throw new UsageError('name a job id or pass --all');
  const n = await withQueue(async (q) => {
    const jobs = opts.all ? await q.getFailed() : [await q.getJob(id!)].filter((j) => j !== undefined);
    if (!opts.all && jobs.length === 0) throw new UsageError(`no job ${id}`);
    for (const j of jobs) await j!.retry('failed');
    return jobs.length;
  });
  process.stdout.write(`retried ${n} job(s)\n`);
}
