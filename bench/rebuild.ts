// Rebuild rate of the orders projection on a realistic log (issue 13: ≥ 30,000 events/s on
// 1,000,000 events). Builds the log straight into es_events of a database of its own
// (lib/order-log.ts), then times `runs` rebuilds in this process, the way `oms projections
// rebuild orders` runs them, and reports events/s (median and best) and the CPU time per 1,000
// events of this process and of the Postgres backends serving it (less sensitive to the load of
// other processes on the machine than the wall-clock rate).
//
//   npm run bench:rebuild [-- --events 1000000 --runs 3 --keep --db oms_rebuild_x --verify --page 20000 --held 100000]
//
// --keep leaves the database (its name is printed); --db reuses one kept before (no new log).
// Needs a local Postgres and Redis, like `npm run bench`. Runs with the young generation `oms`
// gives a rebuild (bin/young-generation.js); NODE_OPTIONS=--max-semi-space-size=16 measures V8's default.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/observability/logger.ts';
import { rebuildProjection, verifyProjection } from '../src/projector/rebuild.ts';
import { Runtime } from '../src/runtime/runtime.ts';
import { buildOrderLog } from './lib/order-log.ts';
import { relaunch, youngGenerationArgs } from '../bin/young-generation.js';

const nodeArgs = youngGenerationArgs(process.execArgv, process.env.NODE_OPTIONS);
if (nodeArgs) process.exit(await relaunch(fileURLToPath(import.meta.url), process.argv.slice(2), nodeArgs));

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    postgres: { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    db: { type: 'string' },
    keep: { type: 'boolean', default: false },
    verify: { type: 'boolean', default: false },
    page: { type: 'string' },
    held: { type: 'string' },
  },
});
const TENANT = 'bench';
const dbName = values.db ?? `oms_rebuild_${Date.now()}`;
const databaseUrl = `${values.postgres}/${dbName}`;

const TICKS = 100; // clock ticks per second (getconf CLK_TCK)
/** CPU milliseconds (user + system) a process has used so far, from /proc. */
function procCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return 0; // gone, or not on this machine
  }
}

/** CPU milliseconds so far of every Postgres backend connected to the benchmark's database, by pid. */
async function backendCpu(admin: pg.Client): Promise<Map<number, number>> {
  const r = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName]);
  return new Map(r.rows.map((x) => [x.pid, procCpuMs(x.pid)]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function bar(label: string) {
  return new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} ev/s`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${values.postgres}/postgres` });
  await admin.connect();
  if (!values.db) await admin.query(`create database ${dbName}`);
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: values.redis,
    OMS_REDIS_PREFIX: dbName,
    EVENTSTORE_URL: '',
    OMS_DEV_KEYS: '1', // a throwaway database: the development keys are fine
  };
  const runtime = await Runtime.create(loadConfig(env), { logger: createLogger('silent') });
  try {
    await runtime.migrate();
    const { knex, pool, piiKeys, store } = runtime.services;
    if (!values.db) {
      const events = Number(values.events);
      const b = bar('building log');
      b.start(events, 0, { rate: '-' });
      const t0 = performance.now();
      const log = await buildOrderLog(pool, piiKeys, { tenant: TENANT, events, onProgress: (n) => b.update(n) });
      b.stop();
      console.log(
        `log: ${log.events} order events of ${log.orders} orders, ${log.forgotten} customers forgotten, in ${((performance.now() - t0) / 1000).toFixed(0)} s (database ${dbName})`,
      );
      // As if the projector had caught up: the live model claims the whole log, so each rebuild
      // replays every event and catches up to the head under the lock, as in production.
      const head = await store.headPosition();
      await knex('projection_checkpoints')
        .where({ name: 'orders' })
        .update({ position_commit: String(head!.commit), position_prepare: String(head!.prepare) });
    }
    const orders = runtime.projections.find((p) => p.name === 'orders')!;
    let lastEvents = 0;
    const samples: { eventsPerSec: number; seconds: number; cpuMsPer1000: number; dbCpuMsPer1000: number }[] = [];
    for (let run = 1; run <= Number(values.runs); run++) {
      const b = bar(`rebuild ${run}/${values.runs}`);
      let started = false;
      const db0 = await backendCpu(admin);
      const cpu0 = process.cpuUsage();
      const r = await rebuildProjection({
        knex,
        store,
        projection: orders,
        ...(values.page ? { batchSize: Number(values.page) } : {}),
        ...(values.held ? { replayLimits: { heldRows: Number(values.held) } } : {}),
        onProgress: (p) => {
          if (!started) b.start(p.total ?? p.done, 0, { rate: 0 });
          started = true;
          b.update(p.done, { rate: p.eventsPerSecond });
        },
      });
      const cpu = process.cpuUsage(cpu0);
      const db1 = await backendCpu(admin);
      b.stop();
      let dbMs = 0;
      for (const [pid, ms] of db1) dbMs += ms - (db0.get(pid) ?? 0);
      const sample = {
        eventsPerSec: Math.round(r.events / r.seconds),
        seconds: Math.round(r.seconds * 10) / 10,
        cpuMsPer1000: Math.round(((cpu.user + cpu.system) / 1000 / r.events) * 1000 * 10) / 10,
        dbCpuMsPer1000: Math.round((dbMs / r.events) * 1000 * 10) / 10,
      };
      samples.push(sample);
      lastEvents = r.events;
      console.log(
        `run ${run}: ${r.events} events in ${sample.seconds} s = ${sample.eventsPerSec} events/s; CPU per 1,000 events: node ${sample.cpuMsPer1000} ms, postgres ${sample.dbCpuMsPer1000} ms`,
      );
    }
    const rates = samples.map((s) => s.eventsPerSec);
    const summary = {
      events: samples.length ? lastEvents : 0,
      runs: samples.length,
      medianEventsPerSec: median(rates),
      bestEventsPerSec: Math.max(...rates),
      medianCpuMsPer1000: median(samples.map((s) => s.cpuMsPer1000)),
      medianDbCpuMsPer1000: median(samples.map((s) => s.dbCpuMsPer1000)),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      samples,
    };
    console.log(JSON.stringify(summary));
    if (values.verify) {
      const v = await verifyProjection({ knex, store, projection: orders });
      console.log(v.differences.length === 0 ? 'verify: OK' : `verify: DIFFERENT ${JSON.stringify(v.differences)}`);
      if (v.differences.length > 0) process.exitCode = 1;
    }
  } finally {
    await runtime.stop();
    if (values.keep) console.log(`kept database ${dbName}`);
    else await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

await main();
