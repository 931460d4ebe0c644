import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const SOCKET_DIR = '/var/run/postgresql';

/**
 * A co-located Postgres is reached over its Unix socket, as a single-host deployment should: on
 * this machine a query round trip over loopback TCP costs the client 20-50 % more CPU.
 */
export function defaultPostgresUrl(): string {
  return existsSync(`${SOCKET_DIR}/.s.PGSQL.5432`)
    ? `postgres://postgres@localhost:5432?host=${SOCKET_DIR}`
    : 'postgres://postgres@127.0.0.1:5432';
}

export interface BenchOptions {
  quick: boolean;
  /** Seconds per measured HTTP phase. */
  phaseSeconds: number;
  /** Seconds per baseline run (insert loop, Koa hello). */
  baselineSeconds: number;
  /** Seconds of the projection-lag phase. */
  lagSeconds: number;
  /** Seconds of unmeasured warm-up load before the first measured phase. */
  warmupSeconds: number;
  /** Concurrent connections (autocannon) and insert clients (baseline). */
  connections: number;
  /** Runs per measured phase; the median run is reported (the lag phase runs once). */
  repeats: number;
  /** Orders bulk-loaded into the read model before the list phases. */
  bulkOrders: number;
  /** Fraction of the peak create-customer rate the lag phase runs at. */
  lagLoadFraction: number;
  /** How long to wait for allocation and projections to catch up after a write phase. */
  drainTimeoutSec: number;
  out: string;
  /** Keep the database and Redis keys (for a post-mortem). */
  keep: boolean;
  /** Time each flash-sale order's two stages (projector, allocator) with a trigger on the demand table. */
  stageTiming: boolean;
  postgresUrl: string;
  redisUrl: string;
}

export const USAGE = `npm run bench [-- options]

  --quick                 ~10 s phases, 100k bulk orders (finishes in under 3 minutes)
  --duration <s>          seconds per measured phase (quick 10, full 30)
  --baseline-duration <s> seconds per baseline run (default: --duration)
  --lag-duration <s>      seconds of the lag phase (default: --duration)
  --warmup <s>            unmeasured warm-up (quick 3, full 5)
  --connections <n>       concurrent connections / insert clients (32)
  --repeats <n>           runs per phase, median reported (quick 1, full 3)
  --bulk-orders <n>       rows bulk-loaded into orders before the list phases (quick 100000, full 1000000)
  --lag-load <fraction>   lag phase rate as a fraction of the peak create-customer rate (0.7)
  --drain-timeout <s>     wait for allocation/projections after write phases (quick 10, full 180)
  --out <file>            results file (bench-results.json)
  --keep                  keep the database and Redis keys afterwards
  --stage-timing          flash sale: also time accept → demand row (projector) and demand row →
                          allocated (allocator) per order; adds a trigger insert per demand row
  --postgres <url>        Postgres server (default: the local Unix socket when there is one,
                          postgres://postgres@localhost:5432?host=/var/run/postgresql, else
                          postgres://postgres@127.0.0.1:5432)
  --redis <url>           Redis (redis://127.0.0.1:6379)
`;

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      'baseline-duration': { type: 'string' },
      'lag-duration': { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      repeats: { type: 'string' },
      'bulk-orders': { type: 'string' },
      'lag-load': { type: 'string' },
      'drain-timeout': { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'stage-timing': { type: 'boolean', default: false },
      postgres: { type: 'string' },
      redis: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const num = (name: string, v: string | undefined, def: number, min: number, max: number) => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return n;
  };
  const phaseSeconds = num('duration', values.duration, quick ? 10 : 30, 1, 3600);
  return {
    quick,
    phaseSeconds,
    baselineSeconds: num('baseline-duration', values['baseline-duration'], phaseSeconds, 1, 3600),
    lagSeconds: num('lag-duration', values['lag-duration'], phaseSeconds, 2, 3600),
    warmupSeconds: num('warmup', values.warmup, quick ? 3 : 5, 0, 600),
    connections: Math.round(num('connections', values.connections, 32, 1, 1000)),
    repeats: Math.round(num('repeats', values.repeats, quick ? 1 : 3, 1, 20)),
    bulkOrders: Math.round(num('bulk-orders', values['bulk-orders'], quick ? 100_000 : 1_000_000, 0, 50_000_000)),
    lagLoadFraction: num('lag-load', values['lag-load'], 0.7, 0.05, 1.5),
    drainTimeoutSec: num('drain-timeout', values['drain-timeout'], quick ? 10 : 180, 1, 3600),
    out: values.out ?? 'bench-results.json',
    keep: values.keep ?? false,
    stageTiming: values['stage-timing'] ?? false,
    postgresUrl: values.postgres ?? process.env.BENCH_POSTGRES_URL ?? defaultPostgresUrl(),
    redisUrl: values.redis ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}
