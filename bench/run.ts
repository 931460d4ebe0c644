// `npm run bench [-- --quick]`: baselines and the service side by side in one run.
// Starts the service (api, projector and worker as separate processes) on a fresh database and
// Redis prefix, measures, prints a table, writes bench-results.json, and removes what it created.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { Api, createCustomersLoad, createOrdersLoad, getLoad } from './lib/api.ts';
import { insertBaseline, koaBaseline, startKoaHello, type InsertBaseline } from './lib/baselines.ts';
import { bulkLoadOrders } from './lib/bulk.ts';
import { measureRebuild, type RebuildResult } from './lib/rebuild.ts';
import { Observer, pgStatsDelta, type PgStats } from './lib/db.ts';
import { measureLag, type LagResult } from './lib/lag.ts';
import { repeated, median, stopAllLoads, type LoadResult } from './lib/load.ts';
import { Monitor, type CpuSnapshot, type CpuUse } from './lib/monitor.ts';
import { parseOptions, USAGE, type BenchOptions } from './lib/options.ts';
import type { Child } from './lib/proc.ts';
import { fmt, renderTable, verdict, type Row } from './lib/report.ts';
import { REPO_ROOT, Stack } from './lib/stack.ts';

const TARGETS = {
  createOrderVsInsert: 0.3,
  createOrderP99Ms: 50,
  getOrderVsKoa: 0.15,
  lagP99Ms: 250,
  apiRssMb: 300,
  rebuildEventsPerSec: 20_000,
} as const;

const t0 = performance.now();
function log(msg: string): void {
  const s = ((performance.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[bench ${s}s] ${msg}\n`);
}

interface Phase {
  runs: LoadResult[];
  median: LoadResult;
  cpu: CpuUse[];
  [extra: string]: unknown;
}

interface Measure {
  cpu: CpuUse;
  pg: ReturnType<typeof pgStatsDelta> | null;
  pgRaw: [PgStats, PgStats] | null;
}

interface Results {
  date: string;
  mode: 'quick' | 'full';
  options: BenchOptions;
  machine: Record<string, unknown>;
  git: { commit: string | null; dirty: boolean | null };
  stack: { database: string; redisPrefix: string; roles: string[]; startSec?: number };
  baselines: {
    insert?: { median: InsertBaseline; runs: InsertBaseline[]; cpu: CpuUse[]; cpuMsPerInsert: Record<string, number> };
    koaHello?: Phase;
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

async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = opts;
  const ts = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${process.pid}`;
  const stack = new Stack({ postgresUrl: o.postgresUrl, redisUrl: o.redisUrl, ts, logLevel: 'warn' });
  // What the requests carry (emails, names): the timestamp split so no 13+ digit run appears, which
  // the API would rightly refuse as a possible card number (422 card_data_not_allowed).
  const tag = ts.replace(/^(\d{8})(\d{6})/, '$1t$2');
  const monitor = new Monitor();
  const children: Child[] = [];
  let observer: Observer | null = null;
  let interrupted = false;

  const results: Results = {
    date: new Date().toISOString(),
    mode: o.quick ? 'quick' : 'full',
    options: { ...o, postgresUrl: redact(o.postgresUrl), redisUrl: redact(o.redisUrl) },
    machine: machineInfo(),
    git: await gitInfo(),
    stack: { database: stack.dbName, redisPrefix: stack.redisPrefix, roles: ['api', 'projector', 'worker'] },
    baselines: {},
    phases: {},
    rebuild: { eventsPerSec: null, note: 'not reached' },
    rssMb: {},
    service: {},
    targets: {},
    table: [],
    durationSec: 0,
    error: null,
    cleanup: [],
  };

  // Cleanup runs once, on success, failure or Ctrl-C; process 'exit' SIGKILLs whatever is left.
  let cleaned: Promise<void> | null = null;
  const cleanup = () =>
    (cleaned ??= (async () => {
      monitor.stop();
      await observer?.close().catch(() => {});
      await Promise.all(children.map((c) => c.stop(3000)));
      await stack.stop();
      if (o.keep) {
        log(`--keep: database ${stack.dbName} and Redis keys ${stack.redisPrefix}:* left in place`);
      } else {
        results.cleanup = await stack.cleanup();
        for (const p of results.cleanup) log(`cleanup problem: ${p}`);
      }
    })());
  process.on('exit', () => {
    stack.killNow();
    for (const c of children) c.killNow();
  });
  // Ctrl-C: stop the load and the service, let the run write what it has, then exit.
  // A second Ctrl-C exits at once (the listener is gone, Node's default applies).
  let mainDone: () => void = () => {};
  const mainFinished = new Promise<void>((resolve) => (mainDone = resolve));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping and cleaning up`);
      interrupted = true;
      stopAllLoads();
      void cleanup()
        .then(() => Promise.race([mainFinished, new Promise((r) => setTimeout(r, 20_000))]))
        .finally(() => process.exit(130));
    });
  }

  /** Runs fn and records the CPU of every process and what Postgres did meanwhile. */
  const measured = async <T>(fn: () => Promise<T>, into: Measure[]): Promise<T> => {
    if (interrupted) throw new Error('interrupted');
    const pgA = observer ? await observer.pgStats().catch(() => null) : null;
    const a = await monitor.cpu();
    try {
      return await fn();
    } finally {
      const b = await monitor.cpu();
      const pgB = observer && pgA ? await observer.pgStats().catch(() => null) : null;
      into.push({
        cpu: Monitor.cpuUse(a, b),
        pg: pgA && pgB ? pgStatsDelta(pgA, pgB) : null,
        pgRaw: pgA && pgB ? [pgA, pgB] : null,
      });
    }
  };
  /** Runs a load `repeats` times (the median run is reported); `after` runs between repeats, unmeasured. */
  const phaseOf = async (
    name: string,
    fn: (i: number) => Promise<LoadResult>,
    extra: Record<string, unknown> = {},
    after?: (i: number) => Promise<void>,
  ): Promise<Phase> => {
    const m: Measure[] = [];
    const describe = (res: LoadResult, c: CpuUse) =>
      `${fmt(res.okRps, 1)} ok/s, p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms, non-2xx ${res.non2xx}, errors ${res.errors}` +
      (Object.keys(res.statusCodes).some((code) => !code.startsWith('2'))
        ? ` (status ${JSON.stringify(res.statusCodes)})`
        : '') +
      `; cores ${coresLine(c)}`;
    const r = await repeated(o.repeats, async (i) => {
      const res = await measured(() => fn(i), m);
      log(`${name}${o.repeats > 1 ? ` run ${i + 1}/${o.repeats}` : ''}: ${describe(res, m[m.length - 1]!.cpu)}`);
      assertAlive(stack);
      await after?.(i);
      return res;
    });
    const med = r.median;
    const mm = m[r.runs.indexOf(med)]!;
    const phase: Phase = {
      ...r,
      cpu: m.map((x) => x.cpu),
      cpuMsPerRequest: cpuMsPerRequest(mm.cpu, med.requests),
      postgres: mm.pg,
      postgresPerRequest: mm.pgRaw ? pgStatsDelta(mm.pgRaw[0], mm.pgRaw[1], med.requests) : null,
      ...extra,
    };
    results.phases[name] = phase;
    if (o.repeats > 1) log(`${name} median: ${describe(med, mm.cpu)}`);
    assertAlive(stack);
    return phase;
  };

  let failure: unknown = null;
  try {
    log(
      `mode ${results.mode}: ${o.phaseSeconds} s phases × ${o.repeats}, ${o.connections} connections, bulk ${o.bulkOrders} orders; load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    log(`database ${stack.dbName}, Redis prefix ${stack.redisPrefix}`);
    results.machine.postgres = await postgresVersion(stack.adminUrl);
    await stack.createDatabase();
    observer = new Observer(stack.databaseUrl, o.redisUrl, stack.redisPrefix);
    const obs = observer;
    monitor.postgresPids = () => obs.backendPids();

    // 1a. Postgres single-row inserts.
    {
      const cpu: CpuUse[] = [];
      const runs: InsertBaseline[] = [];
      for (let i = 0; i < o.repeats; i++) {
        let a: CpuSnapshot | null = null;
        const run = await insertBaseline(stack.databaseUrl, o.connections, o.baselineSeconds, {
          started: async () => {
            a = await monitor.cpu();
          },
          finished: async () => {
            if (a) cpu.push(Monitor.cpuUse(a, await monitor.cpu()));
          },
        });
        runs.push(run);
      }
      const med = [...runs].sort((a, b) => a.insertsPerSec - b.insertsPerSec)[Math.floor((runs.length - 1) / 2)]!;
      const c = cpu[runs.indexOf(med)];
      results.baselines.insert = {
        median: med,
        runs,
        cpu,
        cpuMsPerInsert: c ? cpuMsPerRequest(c, med.inserts, ['postgres', 'bench']) : {},
      };
      log(
        `baseline pg insert (${o.connections} clients): ${fmt(med.insertsPerSec)} inserts/s, p99 ${med.latencyMs.p99} ms${c ? `; cores ${coresLine(c)}` : ''}`,
      );
    }

    // 1b. Koa hello world.
    if (interrupted) throw new Error('interrupted');
    const koa = await startKoaHello();
    children.push(koa.child);
    monitor.watch('koa-hello', koa.child.pid);
    if (o.warmupSeconds > 0) await koaBaseline(koa.url, o.connections, Math.min(1, o.warmupSeconds));
    {
      const m: Measure[] = [];
      const r = await repeated(o.repeats, () =>
        measured(() => koaBaseline(koa.url, o.connections, o.baselineSeconds), m),
      );
      const mm = m[r.runs.indexOf(r.median)]!;
      results.baselines.koaHello = {
        ...r,
        cpu: m.map((x) => x.cpu),
        cpuMsPerRequest: cpuMsPerRequest(mm.cpu, r.median.requests, ['koa-hello', 'bench']),
      };
      log(
        `baseline Koa hello (${o.connections} connections): ${fmt(r.median.okRps)} req/s, p99 ${r.median.latencyMs.p99} ms; cores ${coresLine(mm.cpu)}`,
      );
    }
    await koa.child.stop();
    monitor.unwatch('koa-hello');

    // 2. The service: migrate + key, then one process per role.
    if (interrupted) throw new Error('interrupted');
    log(
      `starting the service (api, projector, worker)${o.bulkOrders > 0 ? ` and bulk-loading ${fmt(o.bulkOrders)} orders` : ''}…`,
    );
    const startedAt = performance.now();
    await stack.createKey();
    // The bulk load of the orders read model (for the list phases) overlaps the processes' boot;
    // nothing is measured until both are done.
    const bulkLoad = async () => {
      if (o.bulkOrders <= 0) return;
      const bulk = await bulkLoadOrders(stack.databaseUrl, stack.tenant, o.bulkOrders);
      results.phases.bulkLoad = bulk;
      log(`bulk-loaded ${fmt(bulk.rows)} orders into the read model in ${bulk.seconds} s`);
    };
    await Promise.all([stack.start(['api', 'projector', 'worker'], monitor), bulkLoad()]);
    monitor.start(250);
    observer.sampleConnections(1000);
    const api = new Api(stack.baseUrl, stack.key);
    results.stack.startSec = Math.round((performance.now() - startedAt) / 100) / 10;
    log(`service up on ${stack.baseUrl} after ${results.stack.startSec} s`);

    // What the idle service costs (projectors and the dispatcher poll the log).
    {
      const m: Measure[] = [];
      await measured(() => new Promise((r) => setTimeout(r, 3000)), m);
      const mm = m[0]!;
      const perSec = mm.pgRaw ? pgStatsDelta(mm.pgRaw[0], mm.pgRaw[1], mm.cpu.seconds) : null;
      results.phases.idle = { cpu: [mm.cpu], postgres: mm.pg, postgresPerSecond: perSec };
      log(`idle service: cores ${coresLine(mm.cpu)}; Postgres ${fmt(perSec?.db.xact_commit)} transactions/s`);
    }

    if (o.warmupSeconds > 0) {
      await createCustomersLoad(api, { connections: o.connections, seconds: o.warmupSeconds, runTag: `warm-${tag}` });
      await observer.waitQuiet(stack.tenant, o.drainTimeoutSec * 1000);
    }

    // create-customer
    const customers = await phaseOf('createCustomer', (i) =>
      createCustomersLoad(api, { connections: o.connections, seconds: o.phaseSeconds, runTag: `${tag}-${i}` }),
    );
    customers.drain = await observer.waitQuiet(stack.tenant, o.drainTimeoutSec * 1000);

    // 6. Projection lag at ~70 % of the peak create-customer rate.
    const lagRate = Math.max(1, Math.round(customers.median.okRps * o.lagLoadFraction));
    log(
      `projection lag: create-customer at ${lagRate}/s (${Math.round(o.lagLoadFraction * 100)} % of peak) for ${o.lagSeconds} s…`,
    );
    {
      const m: Measure[] = [];
      const lag: LagResult = await measured(
        () =>
          measureLag(api, stack.databaseUrl, {
            projection: 'customers',
            rate: lagRate,
            connections: o.connections,
            seconds: o.lagSeconds,
            sampleEveryMs: 50,
            pollMs: 5,
            runTag: `lag-${tag}`,
          }),
        m,
      );
      results.phases.projectionLag = { ...lag, cpu: [m[0]!.cpu] };
      log(
        `projection lag (customers): p50 ${fmt(lag.lagMs?.p50, 1)} ms, p99 ${fmt(lag.lagMs?.p99, 1)} ms, max ${fmt(lag.lagMs?.max, 1)} ms over ${lag.samples} samples` +
          ` (load achieved ${fmt(lag.load.okRps, 1)}/s, unresolved ${lag.unresolved}, sample errors ${lag.sampleErrors}); cores ${coresLine(m[0]!.cpu)}`,
      );
    }
    assertAlive(stack);
    await observer.waitQuiet(stack.tenant, o.drainTimeoutSec * 1000);

    // 3. create-order on a few SKUs with plenty of stock, each run with its own customer.
    const skus = Array.from({ length: 8 }, (_, i) => `BENCH-SKU-${i + 1}`);
    for (const sku of [...skus, 'BENCH-HOT']) await api.receiveStock(sku, 10_000_000);
    // After each run: let allocation catch up (bounded), record its pace, discard what is left.
    const allocationAfter = (customers: string[], runs: AllocationRun[], name: string) => async (i: number) => {
      runs.push(await allocation(obs, stack.tenant, customers[i]!, o, name));
      runs[runs.length - 1]!.backlogDropped = await dropBacklog(obs, stack.tenant, o);
    };
    const orderIds: string[] = [];
    const orderCustomers: string[] = [];
    const orderAlloc: AllocationRun[] = [];
    const createOrder = await phaseOf(
      'createOrder',
      async (i) => {
        const customerId = await api.createCustomer(`orders-${tag}-${i}`);
        orderCustomers.push(customerId);
        return createOrdersLoad(api, {
          connections: o.connections,
          seconds: o.phaseSeconds,
          customerId,
          skus,
          ids: orderIds,
          title: 'create-order',
        });
      },
      {},
      allocationAfter(orderCustomers, orderAlloc, 'createOrder'),
    );
    createOrder.allocation = allocationSummary(orderAlloc);

    // 3b. Hot SKU: every order on the same SKU (allocation contends on one inventory stream).
    const hotCustomers: string[] = [];
    const hotIds: string[] = [];
    const hotAlloc: AllocationRun[] = [];
    const hot = await phaseOf(
      'createOrderHotSku',
      async (i) => {
        const customerId = await api.createCustomer(`hot-${tag}-${i}`);
        hotCustomers.push(customerId);
        return createOrdersLoad(api, {
          connections: o.connections,
          seconds: o.phaseSeconds,
          customerId,
          skus: ['BENCH-HOT'],
          ids: hotIds,
          title: 'create-order-hot-sku',
        });
      },
      {},
      allocationAfter(hotCustomers, hotAlloc, 'createOrderHotSku'),
    );
    hot.allocation = allocationSummary(hotAlloc);
    results.service.inventoryStreamLengths = await observer
      .streamLengths(`${stack.tenant}:inventory:BENCH-%`)
      .catch((err: Error) => err.message);

    // 4. get-order over the ids created above.
    if (orderIds.length === 0) throw new Error('create-order produced no orders; cannot run get-order');
    const getPaths = orderIds.slice(0, 20_000).map((id) => `/v1/orders/${id}`);
    await phaseOf(
      'getOrder',
      () => getLoad(api, { connections: o.connections, seconds: o.phaseSeconds, paths: getPaths, title: 'get-order' }),
      { ids: getPaths.length },
    );

    // 5. list-orders, newest first, all and by status.
    await phaseOf(
      'listOrders',
      () =>
        getLoad(api, {
          connections: o.connections,
          seconds: o.phaseSeconds,
          paths: ['/v1/orders?limit=50'],
          title: 'list-orders',
        }),
      {
        rowsInTable: o.bulkOrders + orderIds.length + hotIds.length,
      },
    );
    await phaseOf('listOrdersConfirmed', () =>
      getLoad(api, {
        connections: o.connections,
        seconds: o.phaseSeconds,
        paths: ['/v1/orders?status=confirmed&limit=50'],
        title: 'list-orders-confirmed',
      }),
    );

    // 6. Rebuild rate (last: it replaces the bulk-loaded rows, which have no events behind them).
    log('rebuilding the orders projection from the log…');
    results.rebuild = await measureRebuild(stack).catch((err: Error) => ({
      eventsPerSec: null,
      note: `rebuild failed: ${err.message}`,
    }));
    log(`rebuild: ${results.rebuild.eventsPerSec ?? '—'} events/s (${results.rebuild.events ?? 0} events)`);
  } catch (err) {
    failure = err;
    results.error = interrupted ? `interrupted (${(err as Error).message})` : ((err as Error).stack ?? String(err));
    log(interrupted ? 'interrupted; writing partial results' : `FAILED: ${(err as Error).message}`);
    for (const d of stack.deadChildren()) log(`${d.role} exited (${d.exit}); last output:\n${d.output.join('\n')}`);
  } finally {
    // Service state at the end (best effort: the run may have failed half-way).
    Object.assign(results.service, await serviceState(observer));
    monitor.sample();
    results.rssMb = monitor.peaksMb();
    results.machine.loadAverageEnd = os.loadavg();
    await cleanup();
    // After the stop, so lines printed while shutting down are included.
    results.service.logs = serviceLogs(stack);
    results.durationSec = Math.round((performance.now() - t0) / 100) / 10;
    results.machine.otherCoresDuringPhases = otherCores(results);
    results.table = buildTable(results);
    const out = path.resolve(process.cwd(), o.out);
    writeFileSync(out, `${JSON.stringify(results, jsonReplacer, 2)}\n`);
    process.stdout.write(`\n${renderTable(results.table)}\n\n`);
    const load = results.machine.loadAverageStart as number[];
    const others = results.machine.otherCoresDuringPhases as number | null;
    process.stdout.write(
      `${results.mode} run, ${results.durationSec} s; ${os.cpus().length} CPUs, load average at start ${load.map((x) => x.toFixed(2)).join(' ')}` +
        (others === null
          ? ''
          : `; processes outside the benchmark used ${others.toFixed(2)} cores on average during the measured phases`) +
        `${others !== null && others > 0.25 ? ' (the machine was shared: figures are pessimistic)' : ''}.\nResults: ${out}\n`,
    );
    mainDone();
  }
  return failure ? 1 : 0;
}

type AllocationRun = Awaited<ReturnType<typeof allocation>>;

/** Waits (bounded) for one run's orders to be allocated and measures the allocation pace. */
async function allocation(observer: Observer, tenant: string, customerId: string, o: BenchOptions, name: string) {
  const drain = await observer.waitQuiet(tenant, o.drainTimeoutSec * 1000, customerId);
  const s = await observer.allocationStats(tenant, customerId);
  const timeline = await observer.allocationTimeline(tenant, customerId);
  const allocated = s.orders - (s.byStatus.pending ?? 0);
  const spanSec =
    s.firstPlaced && s.lastAllocated ? (s.lastAllocated.getTime() - s.firstPlaced.getTime()) / 1000 : null;
  // Pace in the first and the last third of the span: a falling pace means the cost grows with history.
  const third = Math.max(1, Math.floor(timeline.length / 3));
  const pace = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);
  const run = {
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
    `${name} allocation: ${fmt(run.allocatedPerSec, 1)} orders/s allocated (${JSON.stringify(s.byStatus)}), ` +
      `${run.drained ? 'caught up' : 'NOT caught up'} ${(drain.ms / 1000).toFixed(1)} s after the load; ` +
      `pace first third ${fmt(run.paceFirstThird, 1)}/s, last third ${fmt(run.paceLastThird, 1)}/s`,
  );
  return run;
}

function allocationSummary(runs: AllocationRun[]) {
  const rates = runs.map((r) => r.allocatedPerSec).filter((x): x is number => x !== null);
  return { allocatedPerSec: rates.length ? median(rates) : null, drained: runs.every((r) => r.drained), runs };
}

async function serviceState(observer: Observer | null): Promise<Record<string, unknown>> {
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
function serviceLogs(stack: Stack): Record<string, unknown> {
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

/** CPU milliseconds each process spent per request completed in the phase (the async work included). */
function cpuMsPerRequest(
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

function coresLine(c: CpuUse): string {
  return Object.entries(c.cores)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${(v as number).toFixed(2)}`)
    .join(', ');
}

/** Average cores used by processes outside the benchmark during the measured phases. */
function otherCores(r: Results): number | null {
  const vals: number[] = [];
  const phases = r.phases as Record<string, { cpu?: CpuUse[] } | undefined>;
  for (const p of [...Object.values(phases), r.baselines.koaHello]) {
    for (const c of Array.isArray(p?.cpu) ? p.cpu : []) if (c.cores.other != null) vals.push(c.cores.other);
  }
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
}

/**
 * Allocation is slower than order intake, so a write phase leaves a queue behind. What is still
 * waiting after the drain window is discarded, so the next phase measures the service alone.
 */
async function dropBacklog(observer: Observer, tenant: string, o: BenchOptions): Promise<number> {
  const dropped = await observer.dropBacklog();
  if (dropped > 0) {
    const q = await observer.waitQuiet(tenant, Math.min(30_000, o.drainTimeoutSec * 1000));
    log(`discarded ${dropped} waiting job(s) left after the drain window${q.quiet ? '' : ' (still not quiet)'}`);
  }
  return dropped;
}

function assertAlive(stack: Stack): void {
  const dead = stack.deadChildren();
  if (dead.length) throw new Error(`service process(es) died: ${dead.map((d) => `${d.role} (${d.exit})`).join(', ')}`);
}

function buildTable(r: Results): Row[] {
  const p = r.phases as Record<string, Phase | undefined> & {
    projectionLag?: LagResult;
    bulkLoad?: { rows: number; seconds: number };
  };
  const insert = r.baselines.insert?.median.insertsPerSec ?? null;
  const koa = r.baselines.koaHello?.median.okRps ?? null;
  const co = p.createOrder?.median;
  const go = p.getOrder?.median;
  const cc = p.createCustomer?.median;
  const hot = p.createOrderHotSku;
  const lag = p.projectionLag?.lagMs ?? null;
  const rss = r.rssMb as Record<string, { peakMb: number } | undefined>;
  const errorsOf = (l: LoadResult | undefined) => (l ? l.non2xx + l.errors : null);
  const ratio = (a: number | undefined | null, b: number | null) => (a == null || !b ? null : a / b);
  const rows: Row[] = [];
  const add = (metric: string, value: string, baseline = '', target = '', result: Row['result'] = '') =>
    rows.push({ metric, value, baseline, target, result });
  const check = (key: string, ok: boolean | null, detail: Record<string, unknown>) => {
    r.targets[key] = { ok, ...detail };
    return verdict(ok);
  };

  add('baseline: pg single-row inserts (32 conns)', insert === null ? '—' : `${fmt(insert)} /s`);
  add('baseline: Koa hello world (32 conns)', koa === null ? '—' : `${fmt(koa)} req/s`);
  add(
    'create-customer throughput',
    cc ? `${fmt(cc.okRps)} req/s` : '—',
    cc && insert ? `${fmt(ratio(cc.okRps, insert), 2)} × inserts` : '',
  );
  add('create-customer p50 / p99', cc ? `${cc.latencyMs.p50} / ${cc.latencyMs.p99} ms` : '—');
  add('create-customer errors (non-2xx + conn)', cc ? fmt(errorsOf(cc)) : '—');
  const coRatio = ratio(co?.okRps, insert);
  add(
    'create-order throughput',
    co ? `${fmt(co.okRps)} req/s` : '—',
    coRatio === null ? '' : `${fmt(coRatio, 2)} × inserts`,
    `≥ ${TARGETS.createOrderVsInsert} × inserts`,
    check('createOrderThroughput', coRatio === null ? null : coRatio >= TARGETS.createOrderVsInsert, {
      ratio: coRatio,
      target: TARGETS.createOrderVsInsert,
    }),
  );
  add('create-order p50', co ? `${co.latencyMs.p50} ms` : '—');
  add(
    'create-order p99',
    co ? `${co.latencyMs.p99} ms` : '—',
    '',
    `≤ ${TARGETS.createOrderP99Ms} ms`,
    check('createOrderP99', co ? co.latencyMs.p99 <= TARGETS.createOrderP99Ms : null, {
      p99Ms: co?.latencyMs.p99,
      target: TARGETS.createOrderP99Ms,
    }),
  );
  add(
    'create-order errors (non-2xx + conn)',
    co ? fmt(errorsOf(co)) : '—',
    '',
    '0',
    check('createOrderErrors', co ? errorsOf(co) === 0 : null, {
      non2xx: co?.non2xx,
      errors: co?.errors,
      statusCodes: co?.statusCodes,
    }),
  );
  const coAlloc = p.createOrder?.allocation as { allocatedPerSec: number | null; drained: boolean } | undefined;
  add(
    'create-order allocation (8 SKUs)',
    coAlloc ? `${fmt(coAlloc.allocatedPerSec, 1)} orders/s${coAlloc.drained ? '' : ' (not caught up)'}` : '—',
  );
  add(
    'hot-SKU create-order throughput',
    hot ? `${fmt(hot.median.okRps)} req/s` : '—',
    hot && co ? `${fmt(ratio(hot.median.okRps, co.okRps), 2)} × 8-SKU` : '',
  );
  add('hot-SKU create-order p99 / errors', hot ? `${hot.median.latencyMs.p99} ms / ${fmt(errorsOf(hot.median))}` : '—');
  const hotAlloc = hot?.allocation as { allocatedPerSec: number | null; drained: boolean } | undefined;
  add(
    'hot-SKU allocation (1 SKU, contended)',
    hotAlloc ? `${fmt(hotAlloc.allocatedPerSec, 1)} orders/s${hotAlloc.drained ? '' : ' (not caught up)'}` : '—',
    hotAlloc && coAlloc?.allocatedPerSec
      ? `${fmt(ratio(hotAlloc.allocatedPerSec, coAlloc.allocatedPerSec), 2)} × 8-SKU`
      : '',
  );
  const goRatio = ratio(go?.okRps, koa);
  add(
    'get-order throughput',
    go ? `${fmt(go.okRps)} req/s` : '—',
    goRatio === null ? '' : `${fmt(goRatio, 2)} × Koa`,
    `≥ ${TARGETS.getOrderVsKoa} × Koa`,
    check('getOrderThroughput', goRatio === null ? null : goRatio >= TARGETS.getOrderVsKoa, {
      ratio: goRatio,
      target: TARGETS.getOrderVsKoa,
    }),
  );
  add('get-order p50 / p99', go ? `${go.latencyMs.p50} / ${go.latencyMs.p99} ms` : '—', '', '', '');
  const rowsNote = p.bulkLoad ? ` (${fmt(p.bulkLoad.rows / 1000)}k rows)` : '';
  for (const [key, label] of [
    ['listOrders', `list-orders limit=50${rowsNote}`],
    ['listOrdersConfirmed', 'list-orders status=confirmed'],
  ] as const) {
    const l = p[key]?.median;
    add(`${label} p50 / p99`, l ? `${l.latencyMs.p50} / ${l.latencyMs.p99} ms` : '—', l ? `${fmt(l.okRps)} req/s` : '');
  }
  add(
    'projection lag (customers) p50',
    lag ? `${fmt(lag.p50, 1)} ms` : '—',
    p.projectionLag ? `at ${fmt(p.projectionLag.load.okRps)}/s` : '',
  );
  add(
    'projection lag (customers) p99',
    lag ? `${fmt(lag.p99, 1)} ms` : '—',
    lag ? `max ${fmt(lag.max, 1)} ms` : '',
    `≤ ${TARGETS.lagP99Ms} ms`,
    check('projectionLagP99', lag ? lag.p99 <= TARGETS.lagP99Ms && (p.projectionLag?.unresolved ?? 0) === 0 : null, {
      p99Ms: lag?.p99,
      unresolved: p.projectionLag?.unresolved,
      target: TARGETS.lagP99Ms,
    }),
  );
  const rb = r.rebuild;
  add(
    'projection rebuild rate (orders)',
    rb.eventsPerSec !== null ? `${fmt(rb.eventsPerSec)} events/s (${fmt(rb.events ?? 0)} events)` : '—',
    '',
    `≥ ${fmt(TARGETS.rebuildEventsPerSec)} /s`,
    check('rebuildRate', rb.eventsPerSec !== null ? rb.eventsPerSec >= TARGETS.rebuildEventsPerSec : null, {
      eventsPerSec: rb.eventsPerSec,
      target: TARGETS.rebuildEventsPerSec,
    }),
  );
  // CPU per request does not depend on how busy the machine was: the figures to compare across runs.
  const cpuRow = (label: string, c: Record<string, number> | undefined, names: string[]) =>
    add(label, c ? `${names.map((n) => fmt(c[n], 2)).join(' / ')} ms` : '—', ...cpuBaseline(r, label));
  const ms = (k: string) => (p[k]?.cpuMsPerRequest as Record<string, number> | undefined) ?? undefined;
  cpuRow('CPU/req create-customer api/proj/worker/pg', ms('createCustomer'), [
    'api',
    'projector',
    'worker',
    'postgres',
  ]);
  cpuRow('CPU/req create-order api/proj/worker/pg', ms('createOrder'), ['api', 'projector', 'worker', 'postgres']);
  cpuRow('CPU/req hot-SKU order api/proj/worker/pg', ms('createOrderHotSku'), [
    'api',
    'projector',
    'worker',
    'postgres',
  ]);
  cpuRow('CPU/req get-order api/pg', ms('getOrder'), ['api', 'postgres']);
  cpuRow('CPU/req list-orders api/pg', ms('listOrders'), ['api', 'postgres']);
  const idle = (p as Record<string, { cpu?: CpuUse[] } | undefined>).idle?.cpu?.[0];
  add(
    'idle service cores api/proj/worker/pg',
    idle ? ['api', 'projector', 'worker', 'postgres'].map((n) => fmt(idle.cores[n], 2)).join(' / ') : '—',
  );
  add(
    'peak RSS api',
    rss.api ? `${fmt(rss.api.peakMb)} MB` : '—',
    '',
    `≤ ${TARGETS.apiRssMb} MB`,
    check('apiRss', rss.api ? rss.api.peakMb <= TARGETS.apiRssMb : null, {
      peakMb: rss.api?.peakMb,
      target: TARGETS.apiRssMb,
    }),
  );
  add('peak RSS projector', rss.projector ? `${fmt(rss.projector.peakMb)} MB` : '—');
  add('peak RSS worker', rss.worker ? `${fmt(rss.worker.peakMb)} MB` : '—');
  return rows;
}

function cpuBaseline(r: Results, label: string): [string] | [] {
  if (label.includes('get-order') || label.includes('list-orders')) {
    const k = r.baselines.koaHello?.cpuMsPerRequest as Record<string, number> | undefined;
    return k?.['koa-hello'] !== undefined ? [`Koa hello ${fmt(k['koa-hello'], 2)} ms`] : [];
  }
  const i = r.baselines.insert?.cpuMsPerInsert;
  return i?.postgres !== undefined ? [`pg per insert ${fmt(i.postgres, 2)} ms`] : [];
}

function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.map((c) => ({ model: c.model, speedMHz: c.speed })),
    cpuCount: cpus.length,
    totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
    freeMemMbStart: Math.round(os.freemem() / 1024 / 1024),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageStart: os.loadavg(),
    hostname: os.hostname(),
  };
}

async function gitInfo(): Promise<{ commit: string | null; dirty: boolean | null }> {
  const git = promisify(execFile);
  try {
    const { stdout: commit } = await git('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT });
    const { stdout: status } = await git('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT });
    return { commit: commit.trim(), dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** The Postgres server version, for the record (best effort). */
async function postgresVersion(url: string): Promise<string | null> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return (await c.query<{ v: string }>('show server_version')).rows[0]?.v ?? null;
  } catch {
    return null;
  } finally {
    await c.end().catch(() => {});
  }
}

// Exit explicitly: a stray handle (a socket autocannon left half-closed) must not keep the run alive.
process.exit(await main());
