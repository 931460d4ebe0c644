// The state of the service at the end of the run (best effort: the run may have failed half-way).
import type { Observer } from './db.ts';
import { log } from './log.ts';
import type { Stack } from './stack.ts';

export async function serviceState(observer: Observer | null): Promise<Record<string, unknown>> {
  const safe = async <T>(fn: () => Promise<T>): Promise<T | string> => {
    try {
      return await fn();
    } catch (err) {
      return `unavailable: ${(err as Error).message}`;
    }
  };
  if (!observer) return {};
  const jobs = await safe(() => observer.jobCounts());
  if (typeof jobs === 'object' && (jobs.failed ?? 0) > 0) log(`note: ${jobs.failed} job(s) in the failed set`);
  return {
    jobs,
    redisUsedMemoryMb: await safe(() => observer.redisMemoryMb()),
    tables: await safe(() => observer.tableSizes()),
    postgresConnectionsPeak: observer.connectionsPeak,
  };
}

/** Log lines per level of each service process, and the last warnings/errors (and non-JSON lines). */
export function serviceLogs(stack: Stack): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [role, c] of stack.children) {
    out[role] = {
      levels: { ...c.levels },
      exit: c.exitCode ?? c.exitSignal,
      lastWarnings: c
        .output()
        .filter((l) => /"level":[456]0/.test(l) || !l.startsWith('{'))
        .slice(-15),
    };
  }
  return out;
}
