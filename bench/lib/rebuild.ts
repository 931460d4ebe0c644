import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OMS_BIN, REPO_ROOT, type Stack } from './stack.ts';

export interface RebuildResult {
  eventsPerSec: number | null;
  events?: number;
  seconds?: number;
  note: string;
}

/**
 * `oms projections rebuild orders` over everything the run appended, while the service keeps
 * running (the rebuild swaps its tables in under a lock). The bulk-loaded rows, which have no
 * events behind them, go away with it, so this runs last.
 */
export async function measureRebuild(stack: Stack): Promise<RebuildResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [OMS_BIN, 'projections', 'rebuild', 'orders'], {
    cwd: REPO_ROOT,
    env: stack.env(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const m = /rebuilt from (\d+) events in ([\d.]+) s \((\d+) events\/s\)/.exec(stdout);
  if (!m) return { eventsPerSec: null, note: `could not read the rate from: ${stdout.slice(0, 300)}` };
  return {
    eventsPerSec: Number(m[3]),
    events: Number(m[1]),
    seconds: Number(m[2]),
    note: 'oms projections rebuild orders: the events of the types the projection handles (the replay skips the rest of the log), service running',
  };
}
