// Rebuild rate of the orders projection. Runs last: the rebuild replaces the bulk-loaded rows,
// which have no events behind them.
import type { BenchRun } from '../lib/bench-run.ts';
import { log } from '../lib/log.ts';
import { measureRebuild } from '../lib/rebuild.ts';

export async function measureRebuildRate(run: BenchRun): Promise<void> {
  log('rebuilding the orders projection from the log…');
  run.results.rebuild = await measureRebuild(run.stack).catch((err: Error) => ({
    eventsPerSec: null,
    note: `rebuild failed: ${err.message}`,
  }));
  log(`rebuild: ${run.results.rebuild.eventsPerSec ?? '—'} events/s (${run.results.rebuild.events ?? 0} events)`);
}
