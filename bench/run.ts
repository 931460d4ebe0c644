// `npm run bench [-- --quick]`: baselines and the service side by side in one run.
// Starts the service (api, projector and worker as separate processes) on a fresh database and
// Redis prefix, measures, prints a table, writes bench-results.json, and removes what it created.
import os from 'node:os';
import { Api, createCustomersLoad, createOrdersLoad, getLoad } from './lib/api.ts';
import { insertBaseline, koaBaseline, startKoaHello, type InsertBaseline } from './lib/baselines.ts';
import { bulkLoadOrders } from './lib/bulk.ts';
import { measureRebuild } from './lib/rebuild.ts';
import { Observer, pgStatsDelta } from './lib/db.ts';
import { gitInfo, machineInfo, postgresVersion, redact } from './lib/environment.ts';
import { measureLag, type LagResult } from './lib/lag.ts';
import { repeated, median, stopAllLoads, type LoadResult } from './lib/load.ts';
import { elapsedSec, log, startClock } from './lib/log.ts';
import { Monitor, type CpuSnapshot, type CpuUse } from './lib/monitor.ts';
import { parseOptions, USAGE, type BenchOptions } from './lib/options.ts';
import type { Child } from './lib/proc.ts';
import { fmt } from './lib/report.ts';
import type { LoadPhase, Measurement, Results } from './lib/results.ts';
import { serviceLogs, serviceState } from './lib/service-state.ts';
import { Stack } from './lib/stack.ts';
import { writeReport } from './lib/write-report.ts';

startClock();

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
  const measured = async <T>(fn: () => Promise<T>, into: Measurement[]): Promise<T> => {
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
  ): Promise<LoadPhase> => {
    const m: Measurement[] = [];
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
    const phase: LoadPhase = {
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
      const m: Measurement[] = [];
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
      const m: Measurement[] = [];
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
      const m: Measurement[] = [];
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
    results.durationSec = Math.round(elapsedSec() * 10) / 10;
    writeReport(results, o.out);
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

// Exit explicitly: a stray handle (a socket autocannon left half-closed) must not keep the run alive.
process.exit(await main());
