// Measuring a phase: the CPU of every process and what Postgres did around it, per request.
import type { BenchRun } from './bench-run.ts';
import { pgStatsDelta } from './db.ts';
import { repeated, type LoadResult } from './load.ts';
import { log } from './log.ts';
import { Monitor, type CpuUse } from './monitor.ts';
import { fmt } from './report.ts';
import type { LoadPhase, Measurement } from './results.ts';
import type { Stack } from './stack.ts';

/** Runs fn and records the CPU of every process and what Postgres did meanwhile. */
export async function measured<T>(run: BenchRun, fn: () => Promise<T>, into: Measurement[]): Promise<T> {
  run.throwIfInterrupted();
  const observer = run.observerIfStarted;
  const pgA = observer ? await observer.pgStats().catch(() => null) : null;
  const a = await run.monitor.cpu();
  try {
    return await fn();
  } finally {
    const b = await run.monitor.cpu();
    const pgB = observer && pgA ? await observer.pgStats().catch(() => null) : null;
    into.push({
      cpu: Monitor.cpuUse(a, b),
      pg: pgA && pgB ? pgStatsDelta(pgA, pgB) : null,
      pgRaw: pgA && pgB ? [pgA, pgB] : null,
      peakRssSoFarMb: peakRssSoFar(run.monitor),
    });
  }
}

/**
 * Runs a load `repeats` times (the median run is reported) and records it as phase `name`;
 * `after` runs between repeats, unmeasured.
 */
export async function measureLoad(
  run: BenchRun,
  name: string,
  fn: (i: number) => Promise<LoadResult>,
  { extra = {}, after }: { extra?: Record<string, unknown>; after?: (i: number) => Promise<void> } = {},
): Promise<LoadPhase> {
  const { repeats } = run.opts;
  const m: Measurement[] = [];
  const describe = (res: LoadResult, c: CpuUse) =>
    `${fmt(res.okRps, 1)} ok/s, p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms, non-2xx ${res.non2xx}, errors ${res.errors}` +
    (Object.keys(res.statusCodes).some((code) => !code.startsWith('2'))
      ? ` (status ${JSON.stringify(res.statusCodes)})`
      : '') +
    `; cores ${coresLine(c)}`;
  const r = await repeated(repeats, async (i) => {
    const res = await measured(run, () => fn(i), m);
    log(`${name}${repeats > 1 ? ` run ${i + 1}/${repeats}` : ''}: ${describe(res, m[m.length - 1]!.cpu)}`);
    assertAlive(run.stack);
    await after?.(i);
    return res;
  });
  const med = r.median;
  const mm = m[r.runs.indexOf(med)]!;
  const phase: LoadPhase = {
    ...r,
    cpu: m.map((x) => x.cpu),
    cpuMsPerRequest: cpuMsPerRequest(mm.cpu, med.requests),
    postgres: mm.pg,
    postgresPerRequest: mm.pgRaw ? pgStatsDelta(mm.pgRaw[0], mm.pgRaw[1], med.requests) : null,
    ...extra,
  };
  run.results.phases[name] = phase;
  if (repeats > 1) log(`${name} median: ${describe(med, mm.cpu)}`);
  assertAlive(run.stack);
  return phase;
}

/** CPU milliseconds each process spent per request completed in the phase (the async work included). */
export function cpuMsPerRequest(
  c: CpuUse,
  requests: number,
  names = ['api', 'projector', 'worker', 'postgres', 'bench'],
): Record<string, number> {
  const out: Record<string, number> = {};
  if (requests <= 0) return out;
  for (const name of names) {
    const cores = c.cores[name];
    if (cores != null) out[name] = Math.round(((cores * c.seconds * 1000) / requests) * 100) / 100;
  }
  return out;
}

export function coresLine(c: CpuUse): string {
  return Object.entries(c.cores)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${(v as number).toFixed(2)}`)
    .join(', ');
}

/** A service process that died is a finding: the run stops there rather than measure a dead service. */
export function assertAlive(stack: Stack): void {
  const dead = stack.deadChildren();
  if (dead.length) throw new Error(`service process(es) died: ${dead.map((d) => `${d.role} (${d.exit})`).join(', ')}`);
}

/** The peak resident memory of every process so far: which phase first raised a peak shows in the raw results. */
function peakRssSoFar(monitor: Monitor): Record<string, number> {
  monitor.sample();
  const peaks = Object.fromEntries(Object.entries(monitor.peaksMb()).map(([name, p]) => [name, p.peakMb]));
  log(
    `peak RSS so far (MB): ${Object.entries(peaks)
      .map(([name, mb]) => `${name} ${fmt(mb)}`)
      .join(', ')}`,
  );
  return peaks;
}
