import { formatPosition } from '../../src/eventstore/port.ts';
import { readCheckpoint } from '../../src/projector/checkpoints.ts';
import type { TestApp } from './app.ts';
import { waitFor } from './wait.ts';

/** Waits until no job is pending (unless jobs: false) and every projection (and the dispatcher) has reached the log head. */
export async function quiescent(app: TestApp, timeoutMs = 60_000, opts: { jobs?: boolean } = {}): Promise<void> {
  const settled = async () => {
    if (opts.jobs !== false) {
      const counts = await app.runtime.services.queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
      );
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
    const head = await app.runtime.services.store.headPosition();
    if (!head) return true;
    for (const p of app.runtime.allProjections()) {
      const cp = await readCheckpoint(app.runtime.services.knex, p.name);
      if (!cp?.position || formatPosition(cp.position) !== formatPosition(head)) return false;
    }
    return true;
  };
  // Twice in a row: a job finishing can append events that enqueue further jobs.
  let streak = 0;
  await waitFor(
    async () => {
      streak = (await settled()) ? streak + 1 : 0;
      return streak;
    },
    (n) => n >= 3,
    { timeoutMs, intervalMs: 50, what: 'quiescence' },
  );
}
