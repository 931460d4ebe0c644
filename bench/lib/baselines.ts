import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { load, type LoadResult } from './load.ts';
import { Child } from './proc.ts';
import { REPO_ROOT } from './stack.ts';

export interface InsertBaseline {
  insertsPerSec: number;
  inserts: number;
  errors: number;
  connections: number;
  durationSec: number;
  latencyMs: { p50: number; p99: number };
}

/**
 * Postgres single-row inserts: `connections` clients, each inserting one row per statement
 * (autocommit, i.e. one transaction and one WAL flush per row) for `seconds`.
 * The payload is about the size of an event's JSON.
 */
export async function insertBaseline(
  databaseUrl: string,
  connections: number,
  seconds: number,
  hooks: { started?: () => Promise<void>; finished?: () => Promise<void> } = {},
): Promise<InsertBaseline> {
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query('drop table if exists bench_insert');
  await setup.query('create table bench_insert(id bigserial primary key, payload jsonb)');
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < connections; i++) {
      const c = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-insert' });
      await c.connect();
      clients.push(c);
    }
    let inserts = 0;
    let errors = 0;
    const samples: number[] = [];
    await hooks.started?.();
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      clients.map(async (c, ci) => {
        let n = 0;
        while (performance.now() < deadline) {
          const payload = JSON.stringify({
            client: ci,
            n,
            email: `user-${ci}-${n}@example.com`,
            name: 'Benchmark Row',
            at: new Date().toISOString(),
          });
          const t0 = performance.now();
          try {
            await c.query({
              name: 'bench_insert',
              text: 'insert into bench_insert(payload) values ($1)',
              values: [payload],
            });
            inserts++;
            if ((n & 7) === 0) samples.push(performance.now() - t0);
          } catch {
            errors++;
          }
          n++;
        }
      }),
    );
    const durationSec = (performance.now() - started) / 1000;
    await hooks.finished?.(); // while the clients are still connected (their backends' CPU is read)
    samples.sort((a, b) => a - b);
    const pick = (p: number) =>
      Math.round((samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? NaN) * 100) / 100;
    return {
      insertsPerSec: Math.round(inserts / durationSec),
      inserts,
      errors,
      connections,
      durationSec: Math.round(durationSec * 100) / 100,
      latencyMs: { p50: pick(0.5), p99: pick(0.99) },
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await setup.query('drop table if exists bench_insert').catch(() => {});
    await setup.end().catch(() => {});
  }
}

/** Starts a baseline server of this folder (it prints "listening on <port>") as a child process, through tsx like the service. */
async function startBaselineServer(
  name: string,
  file: string,
  env: Record<string, string> = {},
): Promise<{ child: Child; url: string }> {
  const script = fileURLToPath(new URL(file, import.meta.url));
  const child = new Child(name, process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', ...env },
  });
  const m = await child.waitForLine(/listening on (\d+)/, 30_000);
  return { child, url: `http://127.0.0.1:${m[1]}` };
}

/** The Koa hello-world server (lib/koa-hello.ts). */
export function startKoaHello(): Promise<{ child: Child; url: string }> {
  return startBaselineServer('koa-hello', './koa-hello.ts');
}

/** Koa, its router and one prepared pg read per request (lib/koa-pg-floor.ts): the floor under get-order. */
export function startKoaPgFloor(databaseUrl: string, tenant: string): Promise<{ child: Child; url: string }> {
  return startBaselineServer('koa-pg-floor', './koa-pg-floor.ts', { DATABASE_URL: databaseUrl, TENANT: tenant });
}

export async function koaBaseline(url: string, connections: number, seconds: number): Promise<LoadResult> {
  return load({ url: `${url}/`, connections, duration: seconds, title: 'koa-hello' });
}
