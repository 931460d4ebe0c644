// Start time and memory of `oms start` per runtime: how long from spawn until /readyz answers 200,
// and the resident set at that moment and its peak. It compares Node 20 with tsx (the development
// runtime, and what the image ran before), Node 24 with tsx, and Node 24 on its own type stripping
// (the production runtime: no transpiler in the process). Runs alternate between variants so that
// machine noise spreads over all of them; medians are reported.
//
//   npm run bench:startup [-- --runs 7]
//
// Node 24 comes from .ci/node24 (`npm ci --prefix .ci/node24`, the binary CI also uses). It needs
// a local Postgres and Redis, like `npm run bench`; it makes its own database and drops it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { Child, freePort, readMem } from './lib/proc.ts';
import { OMS_BIN, REPO_ROOT } from './lib/stack.ts';

const NODE24 = `${REPO_ROOT}.ci/node24/node_modules/.bin/node`;

interface Variant {
  name: string;
  command: string;
  args: string[];
}

const VARIANTS: Variant[] = [
  { name: `node ${process.versions.node} + tsx`, command: process.execPath, args: [OMS_BIN] },
  { name: 'node 24 + tsx', command: NODE24, args: ['--import', 'tsx', OMS_BIN] },
  { name: 'node 24, type stripping', command: NODE24, args: [OMS_BIN] },
];

interface Sample {
  readyMs: number;
  rssMb: number;
  peakMb: number;
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!existsSync(NODE24)) {
  console.error(`Node 24 is not installed: run \`npm ci --prefix .ci/node24\` first (${NODE24})`);
  process.exit(2);
}

const admin = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `oms_startup_${Date.now()}`;
const databaseUrl = admin.replace(/\/[^/]*$/, `/${dbName}`);

/** Spawns one `oms start`, waits for /readyz, samples memory, stops it. */
async function sample(variant: Variant): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const child = new Child(variant.name, variant.command, [...variant.args, 'start', '--role', 'all'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      OMS_REDIS_PREFIX: dbName,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      OMS_DEV_KEYS: '1', // a throwaway database: the development keys are fine
    },
  });
  // Polls every 10 ms: the figure is the start time, so the poll interval must be small beside it.
  for (;;) {
    if (!child.running) throw new Error(`${variant.name} exited before ready:\n${child.output(30).join('\n')}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await sleep(10);
  }
  const readyMs = performance.now() - started;
  const mem = readMem(child.pid);
  await child.stop();
  return { readyMs, rssMb: (mem?.rssKb ?? 0) / 1024, peakMb: (mem?.hwmKb ?? 0) / 1024 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const pool = new pg.Pool({ connectionString: admin, max: 1 });
await pool.query(`create database ${dbName}`);
try {
  // Migrate once so every sample measures the same start (an up-to-date schema).
  await promisify(execFile)(process.execPath, [OMS_BIN, 'migrate'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const v of VARIANTS) samples.get(v.name)!.push(await sample(v));
  }
  const baseline = median(samples.get(VARIANTS[0]!.name)!.map((s) => s.readyMs));
  console.log(
    `oms start → /readyz 200, median of ${runs} runs each (role all: api, projector and worker in one process)`,
  );
  console.log(
    'variant'.padEnd(28),
    'ready ms'.padStart(9),
    'x base'.padStart(7),
    'RSS MB'.padStart(7),
    'peak MB'.padStart(8),
  );
  for (const v of VARIANTS) {
    const s = samples.get(v.name)!;
    const ready = median(s.map((x) => x.readyMs));
    console.log(
      v.name.padEnd(28),
      ready.toFixed(0).padStart(9),
      (ready / baseline).toFixed(2).padStart(7),
      median(s.map((x) => x.rssMb))
        .toFixed(0)
        .padStart(7),
      median(s.map((x) => x.peakMb))
        .toFixed(0)
        .padStart(8),
    );
  }
} finally {
  await pool.query(`drop database if exists ${dbName} with (force)`);
  await pool.end();
}
