// Projection lag of the customers projection, under create-customer load at a fraction of the
// peak rate (`--lag-load`): how long after the response the checkpoint covers the new event.
import type { Api } from '../lib/api.ts';
import type { BenchRun } from '../lib/bench-run.ts';
import { measureLag } from '../lib/lag.ts';
import { log } from '../lib/log.ts';
import { assertAlive, coresLine, measured } from '../lib/measure.ts';
import { fmt } from '../lib/report.ts';
import type { Measurement } from '../lib/results.ts';

export async function measureProjectionLag(run: BenchRun, api: Api, peakCustomersPerSec: number): Promise<void> {
  const { opts: o, stack } = run;
  const lagRate = Math.max(1, Math.round(peakCustomersPerSec * o.lagLoadFraction));
  log(
    `projection lag: create-customer at ${lagRate}/s (${Math.round(o.lagLoadFraction * 100)} % of peak) for ${o.lagSeconds} s…`,
  );
  const m: Measurement[] = [];
  const lag = await measured(
    run,
    () =>
      measureLag(api, stack.databaseUrl, {
        projection: 'customers',
        rate: lagRate,
        connections: o.connections,
        seconds: o.lagSeconds,
        sampleEveryMs: 50,
        pollMs: 5,
        runTag: `lag-${run.tag}`,
      }),
    m,
  );
  run.results.phases.projectionLag = { ...lag, cpu: [m[0]!.cpu] };
  log(
    `projection lag (customers): p50 ${fmt(lag.lagMs?.p50, 1)} ms, p99 ${fmt(lag.lagMs?.p99, 1)} ms, max ${fmt(lag.lagMs?.max, 1)} ms over ${lag.samples} samples` +
      ` (load achieved ${fmt(lag.load.okRps, 1)}/s, unresolved ${lag.unresolved}, sample errors ${lag.sampleErrors}); cores ${coresLine(m[0]!.cpu)}`,
  );
  assertAlive(stack);
  await run.observer.waitQuiet(stack.tenant, o.drainTimeoutSec * 1000);
}
