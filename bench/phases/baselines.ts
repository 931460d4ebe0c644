// The baselines the service is compared with, measured before it starts: Postgres single-row
// inserts (for the writes) and a Koa hello world (for the reads).
import { insertBaseline, koaBaseline, startKoaHello, type InsertBaseline } from '../lib/baselines.ts';
import type { BenchRun } from '../lib/bench-run.ts';
import { repeated } from '../lib/load.ts';
import { log } from '../lib/log.ts';
import { coresLine, cpuMsPerRequest, measured } from '../lib/measure.ts';
import { Monitor, type CpuSnapshot, type CpuUse } from '../lib/monitor.ts';
import { fmt } from '../lib/report.ts';
import type { Measurement } from '../lib/results.ts';

export async function measureInsertBaseline(run: BenchRun): Promise<void> {
  const { opts: o, monitor } = run;
  const cpu: CpuUse[] = [];
  const runs: InsertBaseline[] = [];
  for (let i = 0; i < o.repeats; i++) {
    let a: CpuSnapshot | null = null;
    // Snapshots taken by the baseline itself, so connecting its clients is not counted.
    const result = await insertBaseline(run.stack.databaseUrl, o.connections, o.baselineSeconds, {
      started: async () => {
        a = await monitor.cpu();
      },
      finished: async () => {
        if (a) cpu.push(Monitor.cpuUse(a, await monitor.cpu()));
      },
    });
    runs.push(result);
  }
  const med = [...runs].sort((a, b) => a.insertsPerSec - b.insertsPerSec)[Math.floor((runs.length - 1) / 2)]!;
  const c = cpu[runs.indexOf(med)];
  run.results.baselines.insert = {
    median: med,
    runs,
    cpu,
    cpuMsPerInsert: c ? cpuMsPerRequest(c, med.inserts, ['postgres', 'bench']) : {},
  };
  log(
    `baseline pg insert (${o.connections} clients): ${fmt(med.insertsPerSec)} inserts/s, p99 ${med.latencyMs.p99} ms${c ? `; cores ${coresLine(c)}` : ''}`,
  );
}

export async function measureKoaBaseline(run: BenchRun): Promise<void> {
  const { opts: o, monitor } = run;
  run.throwIfInterrupted();
  const koa = await startKoaHello();
  run.children.push(koa.child);
  monitor.watch('koa-hello', koa.child.pid);
  if (o.warmupSeconds > 0) await koaBaseline(koa.url, o.connections, Math.min(1, o.warmupSeconds));
  const m: Measurement[] = [];
  const r = await repeated(o.repeats, () =>
    measured(run, () => koaBaseline(koa.url, o.connections, o.baselineSeconds), m),
  );
  const mm = m[r.runs.indexOf(r.median)]!;
  run.results.baselines.koaHello = {
    ...r,
    cpu: m.map((x) => x.cpu),
    cpuMsPerRequest: cpuMsPerRequest(mm.cpu, r.median.requests, ['koa-hello', 'bench']),
  };
  log(
    `baseline Koa hello (${o.connections} connections): ${fmt(r.median.okRps)} req/s, p99 ${r.median.latencyMs.p99} ms; cores ${coresLine(mm.cpu)}`,
  );
  await koa.child.stop();
  monitor.unwatch('koa-hello');
}
