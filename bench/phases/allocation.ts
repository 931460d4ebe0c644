// Allocation (`pending` → `confirmed`) is asynchronous and slower than order intake: after each
// create-order run it is given a bounded window to catch up, its pace is read from the read
// model, and what is still queued is discarded so the next phase measures the service alone.
import type { BenchRun } from '../lib/bench-run.ts';
import { median } from '../lib/load.ts';
import { log } from '../lib/log.ts';
import { fmt } from '../lib/report.ts';

export type AllocationRun = Awaited<ReturnType<typeof measureAllocation>>;

/** Waits (bounded) for one run's orders to be allocated and measures the allocation pace. */
async function measureAllocation(run: BenchRun, customerId: string, name: string) {
  const { observer, stack } = run;
  const drain = await observer.waitQuiet(stack.tenant, run.opts.drainTimeoutSec * 1000, customerId);
  const s = await observer.allocationStats(stack.tenant, customerId);
  const timeline = await observer.allocationTimeline(stack.tenant, customerId);
  const allocated = s.orders - (s.byStatus.pending ?? 0);
  const spanSec =
    s.firstPlaced && s.lastAllocated ? (s.lastAllocated.getTime() - s.firstPlaced.getTime()) / 1000 : null;
  // Pace in the first and the last third of the span: a falling pace means the cost grows with history.
  const third = Math.max(1, Math.floor(timeline.length / 3));
  const pace = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);
  const result = {
    ...s,
    allocated,
    spanSec,
    allocatedPerSec: spanSec && spanSec > 0 ? Math.round((allocated / spanSec) * 10) / 10 : null,
    perSecondTimeline: timeline,
    paceFirstThird: pace(timeline.slice(0, third)),
    paceLastThird: pace(timeline.slice(-third)),
    drained: drain.quiet,
    drainMs: drain.ms,
    stateAfterDrain: drain.last,
    backlogDropped: 0,
  };
  log(
    `${name} allocation: ${fmt(result.allocatedPerSec, 1)} orders/s allocated (${JSON.stringify(s.byStatus)}), ` +
      `${result.drained ? 'caught up' : 'NOT caught up'} ${(drain.ms / 1000).toFixed(1)} s after the load; ` +
      `pace first third ${fmt(result.paceFirstThird, 1)}/s, last third ${fmt(result.paceLastThird, 1)}/s`,
  );
  return result;
}

/** Discards the jobs still waiting after the drain window; returns how many there were. */
async function dropBacklog(run: BenchRun): Promise<number> {
  const dropped = await run.observer.dropBacklog();
  if (dropped > 0) {
    const q = await run.observer.waitQuiet(run.stack.tenant, Math.min(30_000, run.opts.drainTimeoutSec * 1000));
    log(`discarded ${dropped} waiting job(s) left after the drain window${q.quiet ? '' : ' (still not quiet)'}`);
  }
  return dropped;
}

/**
 * What runs after create-order run `i` (whose orders belong to `customerIds[i]`): allocation is
 * measured into `into`, then the backlog dropped.
 */
export function allocationAfterRun(run: BenchRun, name: string, customerIds: string[], into: AllocationRun[]) {
  return async (i: number): Promise<void> => {
    const result = await measureAllocation(run, customerIds[i]!, name);
    into.push(result);
    result.backlogDropped = await dropBacklog(run);
  };
}

export function allocationSummary(runs: AllocationRun[]) {
  const rates = runs.map((r) => r.allocatedPerSec).filter((x): x is number => x !== null);
  return { allocatedPerSec: rates.length ? median(rates) : null, drained: runs.every((r) => r.drained), runs };
}
