// The shape of bench-results.json.
import type { InsertBaseline } from './baselines.ts';
import type { PgStats, pgStatsDelta } from './db.ts';
import type { LoadResult } from './load.ts';
import type { CpuUse } from './monitor.ts';
import type { BenchOptions } from './options.ts';
import type { RebuildResult } from './rebuild.ts';
import type { Row } from './report.ts';

/** A measured load phase: every run, the median one, and what each process and Postgres spent. */
export interface LoadPhase {
  runs: LoadResult[];
  median: LoadResult;
  cpu: CpuUse[];
  [extra: string]: unknown;
}

/** CPU of every process and the Postgres statistics around one measured run. */
export interface Measurement {
  cpu: CpuUse;
  pg: ReturnType<typeof pgStatsDelta> | null;
  pgRaw: [PgStats, PgStats] | null;
  /** Peak resident memory per process (MB) from the start of the run to the end of this phase. */
  peakRssSoFarMb: Record<string, number>;
}

export interface Results {
  date: string;
  mode: 'quick' | 'full';
  options: BenchOptions;
  machine: Record<string, unknown>;
  git: { commit: string | null; dirty: boolean | null };
  stack: { database: string; redisPrefix: string; roles: string[]; startSec?: number };
  baselines: {
    insert?: { median: InsertBaseline; runs: InsertBaseline[]; cpu: CpuUse[]; cpuMsPerInsert: Record<string, number> };
    koaHello?: LoadPhase;
  };
  phases: Record<string, unknown>;
  rebuild: RebuildResult;
  rssMb: Record<string, unknown>;
  service: Record<string, unknown>;
  targets: Record<string, unknown>;
  table: Row[];
  durationSec: number;
  error: string | null;
  cleanup: string[];
}
