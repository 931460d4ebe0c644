// Bring up Postgres and Redis for `npm start` / `npm test` when the configured ones do not answer:
// 1. the configured URL answers → use it;
// 2. a Docker engine answers → `docker compose up -d <service>`;
// 3. local binaries → a private instance on a free port, data under <dataDir> (git-ignored);
// 4. root on Debian → apt-get install them, then 3;
// otherwise fail with a message saying what to install or which URL to set.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';

const run = promisify(execFile);

export interface EnsuredServices {
  databaseUrl: string;
  redisUrl: string;
  /** What this call started, e.g. "postgres (local binary, port 54321)". */
  started: string[];
  stop(): Promise<void>;
}

export interface EnsureOptions {
  databaseUrl: string;
  redisUrl: string;
  dataDir: string;
  log?: (msg: string) => void;
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (err) {
    // The server answers but the database does not exist yet: that is a server we can use.
    return (err as { code?: string }).code === '3D000';
  } finally {
    await client.end().catch(() => {});
  }
}

export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(250);
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || null : null;
}

async function dockerAnswers(): Promise<boolean> {
  if (!which('docker')) return false;
  try {
    await run('docker', ['info'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** The newest PostgreSQL server bin directory (with initdb and pg_ctl), or null. */
function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], 'bin');
  }
  const initdb = which('initdb');
  return initdb && which('pg_ctl') ? path.dirname(initdb) : null;
}

const isRoot = () => process.getuid?.() === 0;

/** initdb and postgres refuse to run as root: run them as the `postgres` system user then. */
function asServiceUser(cmd: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [cmd, args];
  return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function withHostPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  if (!u.username) u.username = 'postgres';
  u.password = '';
  return u.toString();
}

async function startLocalPostgres(opts: EnsureOptions, log: (m: string) => void): Promise<{ url: string; stop: () => Promise<void> } | null> {
  const bin = postgresBinDir();
  if (!bin) return null;
  if (isRoot() && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    log('running as root without a postgres system user: cannot start a local PostgreSQL');
    return null;
  }
  const dir = path.resolve(opts.dataDir, 'postgres');
  const sockets = path.resolve(opts.dataDir, 'postgres-sockets');
  // The service user must be able to traverse dataDir; the cluster directory itself is private.
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o755 });
  chmodSync(opts.dataDir, 0o755);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(sockets, { recursive: true });
  if (isRoot()) spawnSync('chown', ['-R', 'postgres', dir, sockets]);

  const pidFile = path.join(dir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(pidLine);
    const url = withHostPort(opts.databaseUrl, Number(portLine));
    if (pidAlive(pid) && (await postgresAnswers(url))) {
      log(`PostgreSQL: reusing the local instance already running in ${dir} (port ${portLine})`);
      return { url, stop: async () => {} };
    }
    rmSync(pidFile, { force: true }); // stale: the server that wrote it is gone
  }
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log(`PostgreSQL: initialising a local cluster in ${dir}`);
    const [cmd, args] = asServiceUser(path.join(bin, 'initdb'), ['-D', dir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await run(cmd, args, { timeout: 120_000 });
  }
  const port = await freePort();
  const [cmd, args] = asServiceUser(path.join(bin, 'pg_ctl'), [
    '-D', dir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60',
    '-o', `-p ${port} -k ${sockets} -h 127.0.0.1 -c fsync=off -c max_connections=300`,
    'start',
  ]);
  await run(cmd, args, { timeout: 90_000 });
  const url = withHostPort(opts.databaseUrl, port);
  if (!(await waitUntil(() => postgresAnswers(url), 30_000))) throw new Error(`local PostgreSQL did not answer on port ${port}`);
  log(`PostgreSQL: started a local instance on port ${port} (data in ${dir})`);
  return {
    url,
    stop: async () => {
      const [c, a] = asServiceUser(path.join(bin, 'pg_ctl'), ['-D', dir, '-m', 'fast', '-w', 'stop']);
      await run(c, a, { timeout: 60_000 }).catch(() => {});
    },
  };
}

async function startLocalRedis(opts: EnsureOptions, log: (m: string) => void): Promise<{ url: string; stop: () => Promise<void> } | null> {
  const server = which('redis-server');
  if (!server) return null;
  const dir = path.resolve(opts.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const pidFile = path.join(dir, `redis-${port}.pid`);
  await run(server, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes',
    '--dir', dir, '--pidfile', pidFile, '--logfile', path.join(dir, 'redis.log'),
  ]);
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitUntil(() => redisAnswers(url), 20_000))) throw new Error(`local Redis did not answer on port ${port}`);
  log(`Redis: started a local instance on port ${port}`);
  return {
    url,
    stop: async () => {
      const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      redis.on('error', () => {});
      await redis.call('SHUTDOWN', 'NOSAVE').catch(() => {});
      redis.disconnect();
    },
  };
}

async function aptInstall(log: (m: string) => void): Promise<boolean> {
  if (!isRoot() || !existsSync('/etc/debian_version') || !which('apt-get')) return false;
  log('installing postgresql and redis-server with apt-get (root on Debian)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update'], { env, timeout: 300_000 });
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql', 'redis-server'], { env, timeout: 600_000 });
    return true;
  } catch (err) {
    log(`apt-get failed: ${(err as Error).message.split('\n')[0]}`);
    return false;
  }
}

async function viaCompose(service: 'postgres' | 'redis', check: () => Promise<boolean>, log: (m: string) => void): Promise<boolean> {
  log(`${service}: not reachable; starting it with docker compose`);
  try {
    await run('docker', ['compose', 'up', '-d', service], { timeout: 180_000 });
  } catch (err) {
    log(`docker compose failed: ${(err as Error).message.split('\n')[0]}`);
    return false;
  }
  return waitUntil(check, 60_000);
}

export async function ensureServices(opts: EnsureOptions): Promise<EnsuredServices> {
  const log = opts.log ?? (() => {});
  const started: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  let databaseUrl = opts.databaseUrl;
  let redisUrl = opts.redisUrl;

  const needPg = !(await postgresAnswers(databaseUrl));
  const needRedis = !(await redisAnswers(redisUrl));
  if (!needPg && !needRedis) return { databaseUrl, redisUrl, started, stop: async () => {} };

  const docker = await dockerAnswers();
  let triedApt = false;
  const attempt = async <T>(local: () => Promise<T | null>): Promise<T | null> => {
    const got = await local();
    if (got || triedApt) return got;
    triedApt = true;
    return (await aptInstall(log)) ? local() : null;
  };

  if (needPg) {
    const composeUrl = withHostPort(opts.databaseUrl, 5432);
    if (docker && (await viaCompose('postgres', () => postgresAnswers(composeUrl), log))) {
      databaseUrl = composeUrl;
      started.push('postgres (docker compose)');
    } else {
      const local = await attempt(() => startLocalPostgres(opts, log));
      if (!local) {
        throw new Error(
          `PostgreSQL is not reachable at ${opts.databaseUrl} and could not be started: install PostgreSQL 15+ ` +
            '(e.g. apt-get install postgresql) or Docker, or set DATABASE_URL to a running server',
        );
      }
      databaseUrl = local.url;
      started.push(`postgres (local binary, ${new URL(local.url).port})`);
      stops.push(local.stop);
    }
  }
  if (needRedis) {
    if (docker && (await viaCompose('redis', () => redisAnswers('redis://127.0.0.1:6379'), log))) {
      redisUrl = 'redis://127.0.0.1:6379';
      started.push('redis (docker compose)');
    } else {
      const local = await attempt(() => startLocalRedis(opts, log));
      if (!local) {
        throw new Error(
          `Redis is not reachable at ${opts.redisUrl} and could not be started: install Redis 6.2+ ` +
            '(e.g. apt-get install redis-server) or Docker, or set REDIS_URL to a running server',
        );
      }
      redisUrl = local.url;
      started.push(`redis (local binary, ${new URL(local.url).port})`);
      stops.push(local.stop);
    }
  }
  return {
    databaseUrl,
    redisUrl,
    started,
    stop: async () => {
      for (const s of stops.reverse()) await s();
    },
  };
}
