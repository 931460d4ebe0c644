// GET /v1/orders/:id alone, to see what one request costs: req/s and CPU ms per request of the API
// process and of the Postgres backends, beside a Koa hello world measured in the same rounds.
//   npx tsx bench/get-order-profile.ts [--tree <checkout>]... [--seconds 8] [--rounds 3] [--cpu-prof <dir>]
// Each --tree (default: this checkout) runs its own API process against one database; a round runs
// Koa hello, then get-order against each API in turn, so versions are compared under the same
// machine load. The orders are created through the API (the projector writes their rows, then
// stops, so only the API and its backends work while measured); bulk rows make the table larger.
// --api-flag adds node flags to them (e.g. --api-flag=--perf-basic-prof, for perf record -p <pid>).
// --cpu-prof writes each API process's V8 profile there on exit (see bench/cpu-profile-summary.ts).
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Api, orderBody } from './lib/api.ts';
import { koaBaseline, startKoaHello, startKoaPgFloor } from './lib/baselines.ts';
import { bulkLoadOrders } from './lib/bulk.ts';
import { Observer } from './lib/db.ts';
import { load, median, type LoadResult } from './lib/load.ts';
import { Monitor } from './lib/monitor.ts';
import { defaultPostgresUrl } from './lib/options.ts';
import { Child, freePort, waitForHttp } from './lib/proc.ts';
import { REPO_ROOT, Stack } from './lib/stack.ts';

const { values } = parseArgs({
  options: {
    tree: { type: 'string', multiple: true, default: [REPO_ROOT] },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    /** Requests per second over all connections (default: as fast as they go); the same rate for every API. */
    rate: { type: 'string' },
    orders: { type: 'string', default: '2000' },
    bulk: { type: 'string', default: '20000' },
    'cpu-prof': { type: 'string' },
    /** More node flags for the measured API processes, e.g. --api-flag=--perf-basic-prof for perf record. */
    'api-flag': { type: 'string', multiple: true, default: [] },
    postgres: { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? defaultPostgresUrl() },
    redis: { type: 'string', default: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const ts = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${process.pid}`;
const stack = new Stack({ postgresUrl: values.postgres, redisUrl: values.redis, ts: `prof_${ts}`, logLevel: 'warn' });
const monitor = new Monitor();
const children: Child[] = [];
const log = (s: string) => process.stdout.write(`${s}\n`);

async function startApi(name: string, tree: string, profile = true): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const prof = !profile
    ? []
    : [
        ...values['api-flag'],
        ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'], name)}`] : []),
      ];
  const child = new Child(
    name,
    process.execPath,
    ['--max-old-space-size=256', ...prof, join(tree, 'bin/oms.js'), 'start', '--role', 'api'],
    { cwd: tree, env: stack.env({ PORT: String(port) }) },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 90_000, () => child.running);
  monitor.watch(name, child.pid);
  if (profile) log(`${name}: pid ${child.pid}, ${tree}`);
  return { child, url };
}

/** Orders created through the API, their read-model rows written by a projector that then stops. */
async function createOrders(api: Api, observer: Observer, count: number): Promise<string[]> {
  await api.receiveStock('PROF-SKU', 10_000_000);
  const customerId = await api.createCustomer(`prof-${ts.replace(/^(\d{8})(\d{6})/, '$1t$2')}`);
  const ids: string[] = [];
  const body = JSON.parse(orderBody(customerId, 'PROF-SKU')) as unknown;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (ids.length < count) ids.push((await api.post<{ id: string }>('/v1/orders', body)).body.id);
    }),
  );
  for (;;) {
    const r = await observer.pool.query<{ n: string }>('select count(*) as n from orders where customer_id = $1', [
      customerId,
    ]);
    if (Number(r.rows[0]!.n) >= ids.length) return ids;
    await sleep(200);
  }
}

interface Sample {
  result: LoadResult;
  cpuMs: Record<string, number>;
}

async function measure(name: string, load: () => Promise<LoadResult>, procs: string[]): Promise<Sample> {
  const a = await monitor.cpu();
  const result = await load();
  const c = Monitor.cpuUse(a, await monitor.cpu());
  const cpuMs: Record<string, number> = {};
  for (const p of [...procs, 'postgres', 'bench'])
    if (c.cores[p] != null) cpuMs[p] = (c.cores[p]! * c.seconds * 1000) / Math.max(1, result.requests);
  const ms = Object.entries(cpuMs).map(([k, v]) => `${k} ${v.toFixed(3)}`);
  log(
    `  ${name}: ${Math.round(result.okRps)} ok/s (non-2xx ${result.non2xx}, errors ${result.errors}), cpu ms/request ${ms.join(', ')}; other cores ${c.cores.other ?? '?'}`,
  );
  return { result, cpuMs };
}

/** get-order round-robin over `paths`, at --rate when given. */
function getOrders(url: string, paths: readonly string[], duration = seconds): Promise<LoadResult> {
  let n = 0;
  return load({
    url,
    connections,
    duration,
    ...(values.rate ? { overallRate: Number(values.rate) } : {}),
    headers: { authorization: `Bearer ${stack.key}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: paths[n++ % paths.length]! }),
      },
    ],
  });
}

async function main(): Promise<void> {
  const trees = values.tree.map((t) => resolve(t));
  await stack.createDatabase();
  const observer = new Observer(stack.databaseUrl, values.redis, stack.redisPrefix);
  monitor.postgresPids = () => observer.backendPids();
  try {
    await stack.createKey();
    await stack.start(['projector'], monitor);
    // The orders are created through an API process of their own, so the measured ones (and their
    // profiles) only ever serve get-order.
    const setup = await startApi('setup', REPO_ROOT, false);
    const [ids] = await Promise.all([
      createOrders(new Api(setup.url, stack.key), observer, Number(values.orders)),
      bulkLoadOrders(stack.databaseUrl, stack.tenant, Number(values.bulk)),
    ]);
    for (const name of ['projector', 'setup']) monitor.unwatch(name);
    await Promise.all([stack.children.get('projector')!.stop(), setup.child.stop()]);
    const apis = [];
    for (const [i, tree] of trees.entries()) apis.push({ tree, ...(await startApi(`api-${i + 1}`, tree)) });
    const paths = ids.map((id) => `/v1/orders/${id}`);
    log(`${ids.length} orders (+${values.bulk} bulk rows); ${trees.length} API process(es); ${seconds} s per load`);
    const koa = await startKoaHello();
    children.push(koa.child);
    monitor.watch('koa-hello', koa.child.pid);
    const floor = await startKoaPgFloor(stack.databaseUrl, stack.tenant);
    children.push(floor.child);
    monitor.watch('koa-pg-floor', floor.child.pid);
    // Warm-up (JIT, pool connections, prepared statements), not measured.
    await koaBaseline(koa.url, connections, 2);
    await getOrders(floor.url, paths, 3);
    for (const a of apis) await getOrders(a.url, paths, 3);
    const samples: Record<string, Sample[]> = { koa: [], floor: [] };
    for (let r = 1; r <= Number(values.rounds); r++) {
      log(`round ${r}`);
      samples.koa!.push(await measure('koa-hello', () => koaBaseline(koa.url, connections, seconds), ['koa-hello']));
      samples.floor!.push(await measure('koa-pg-floor', () => getOrders(floor.url, paths), ['koa-pg-floor']));
      for (const [i, a] of apis.entries()) {
        const name = `api-${i + 1}`;
        const sample = await measure(`${name} get-order`, () => getOrders(a.url, paths), [name]);
        samples[name] = [...(samples[name] ?? []), sample];
      }
    }
    const koaRps = median(samples.koa!.map((s) => s.result.okRps));
    log(`\nmedians over ${values.rounds} rounds (Koa hello ${Math.round(koaRps)} req/s)`);
    const describe = (name: string, s: Sample[], proc: string) => {
      const rps = median(s.map((x) => x.result.okRps));
      const ratio = median(s.map((x, k) => x.result.okRps / samples.koa![k]!.result.okRps));
      const ms = (p: string) => median(s.map((x) => x.cpuMs[p] ?? NaN)).toFixed(3);
      log(
        `${name}: ${Math.round(rps)} req/s, ratio to Koa ${ratio.toFixed(3)}; cpu ms/request ${proc} ${ms(proc)}, postgres ${ms('postgres')}, load generator ${ms('bench')}`,
      );
    };
    describe('koa-hello', samples.koa!, 'koa-hello');
    describe('koa-pg-floor (Koa, router, one prepared read)', samples.floor!, 'koa-pg-floor');
    for (const [i, a] of apis.entries()) describe(`api-${i + 1} ${a.tree}`, samples[`api-${i + 1}`]!, `api-${i + 1}`);
  } finally {
    monitor.stop();
    await Promise.all(children.map((c) => c.stop()));
    await stack.stop();
    await observer.close();
    for (const p of await stack.cleanup()) log(`cleanup: ${p}`);
  }
}

await main();
process.exit(0);
