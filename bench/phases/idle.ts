// What the idle service costs: the projectors and the job dispatcher poll the log.
import type { BenchRun } from '../lib/bench-run.ts';
import { pgStatsDelta } from '../lib/db.ts';
import { log } from '../lib/log.ts';
import { coresLine, measured } from '../lib/measure.ts';
import { fmt } from '../lib/report.ts';
import type { Measurement } from '../lib/results.ts';

export async function measureIdle(run: BenchRun): Promise<void> {
  const m: Measurement[] = [];
  await measured(run, () => new Promise((r) => setTimeout(r, 3000)), m);
  const mm = m[0]!;
  const perSec = mm.pgRaw ? pgStatsDelta(mm.pgRaw[0], mm.pgRaw[1], mm.cpu.seconds) : null;
  run.results.phases.idle = { cpu: [mm.cpu], postgres: mm.pg, postgresPerSecond: perSec };
  log(`idle service: cores ${coresLine(mm.cpu)}; Postgres ${fmt(perSec?.db.xact_commit)} transactions/s`);
}
