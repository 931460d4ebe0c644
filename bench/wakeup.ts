// Projection lag and idle CPU of one projector process (`oms start --role projector`).
//   npx tsx bench/wakeup.ts [--tree <checkout>] [--samples 100] [--idle-seconds 10]
// --tree runs another checkout's bin/oms.js (e.g. an export of an older commit), so two versions
// can be measured alternately in one session. Each run has its own database and Redis prefix.
// Lag: an event is appended straight to the log (es_append and its NOTIFY, one event of a type no projection
// handles: every projection still moves its checkpoint past it) every 100 ms; a client reads the
// `customers` checkpoint every 2 ms; lag = first read at or past the event's position minus the
// append's commit. Idle CPU: the projector's user+system time over --idle-seconds with no appends.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { Child } from './lib/proc.ts';
import { REPO_ROOT } from './lib/stack.ts';

const { values } = parseArgs({
  options: {
    tree: { type: 'string', default: REPO_ROOT },
    samples: { type: 'string', default: '100' },
    'idle-seconds': { type: 'string', default: '10' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
  },
});
const tree = values.tree;
const ts = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
const dbName = `oms_wakeup_${ts}`;
const databaseUrl = `${values.postgres}/${dbName}`;
const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_URL: values.redis,
  OMS_REDIS_PREFIX: `oms-wakeup-${ts}`,
  LOG_LEVEL: 'warn',
  EVENTSTORE_URL: '',
  OMS_ROLE: '',
};

const TICKS = 100; // clock ticks per second (getconf CLK_TCK)
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS; // utime, stime
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${values.postgres}/postgres` });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const bin = join(tree, 'bin/oms.js');
  let projector: Child | null = null;
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    await promisify(execFile)(process.execPath, [bin, 'migrate'], { cwd: tree, env, timeout: 120_000 });
    projector = new Child('projector', process.execPath, [bin, 'start', '--role', 'projector'], { cwd: tree, env });
    await db.connect();
    const checkpoint = async () => {
      const r = await db.query<{ c: string; p: string }>(
        "select position_commit::text as c, position_prepare::text as p from projection_checkpoints where name = 'customers'",
      );
      return r.rows[0] ? { c: BigInt(r.rows[0].c), p: BigInt(r.rows[0].p) } : null;
    };
    const append = async () => {
      const r = await db.query<{ tx: string; pos: string }>(
        "select tx::text as tx, pos from es_append($1, 'any', null, $2::jsonb)",
        [
          `bench:ping:${randomUUID()}`,
          JSON.stringify([
            {
              id: randomUUID(),
              type: 'BenchPing',
              data: {},
              metadata: { tenant: 'bench', actor: 'bench', correlationId: 'c', causationId: null },
            },
          ]),
        ],
      );
      // Announced as the event store does it after a commit (src/eventstore/postgres/append-announcer.ts);
      // a checkout from before that still has the NOTIFY trigger and hears both.
      await db.query("select pg_notify('oms_es_appended', $1)", [r.rows[0]!.tx]);
      return { c: BigInt(r.rows[0]!.tx), p: BigInt(r.rows[0]!.pos) };
    };
    // Warm up: the projector holds its locks and has caught up with a first event.
    const first = await append();
    for (;;) {
      const cp = await checkpoint();
      if (cp && (cp.c > first.c || (cp.c === first.c && cp.p >= first.p))) break;
      if (!projector.running) throw new Error(`projector exited:\n${projector.output(20).join('\n')}`);
      await sleep(50);
    }
    await sleep(2000);

    const idleSeconds = Number(values['idle-seconds']);
    const cpu0 = cpuMs(projector.pid);
    const t0 = performance.now();
    await sleep(idleSeconds * 1000);
    const idleCpu = (cpuMs(projector.pid) - cpu0) / (performance.now() - t0); // cores

    const lags: number[] = [];
    for (let i = 0; i < Number(values.samples); i++) {
      const at = performance.now();
      const pos = await append();
      const committed = performance.now();
      for (;;) {
        const cp = await checkpoint();
        if (cp && (cp.c > pos.c || (cp.c === pos.c && cp.p >= pos.p))) break;
        if (performance.now() - at > 30_000) throw new Error('an event was not projected within 30 s');
        await sleep(2);
      }
      lags.push(performance.now() - committed);
      await sleep(100);
    }
    const sorted = [...lags].sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        tree,
        idleCpuPercentOfOneCore: +(idleCpu * 100).toFixed(2),
        lagMs: {
          p50: +median(lags).toFixed(1),
          p90: +sorted[Math.floor(sorted.length * 0.9)]!.toFixed(1),
          max: +sorted[sorted.length - 1]!.toFixed(1),
        },
        samples: lags.length,
      }),
    );
  } finally {
    await db.end().catch(() => {});
    await projector?.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

await main();
