// Bring up Postgres and Redis for `npm start` / `npm test` when the configured ones do not answer.
// For each of them, independently:
// 1. the configured URL answers → use it unchanged;
// 2. a Docker engine answers → `docker compose up -d postgres|redis` and wait until it answers;
// 3. local binaries → a private instance on a free port, data under <dataDir>/postgres|redis
//    (reused across runs; what this call started is stopped by stop());
// 4. root on Debian with apt-get → install the missing packages, then 3;
// 5. otherwise throw an Error saying what to install or which URL to set.
import { execFile, spawnSync, type ExecFileOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pgConnection } from '../db/ssl.ts';

export interface EnsuredServices {
  databaseUrl: string;
  redisUrl: string;
  /** What this call started, e.g. "postgres (local binary, port 54321)". */
  started: string[];
  /** Stops what this call started (nothing else). Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EnsureOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Where private instances keep their data: <dataDir>/postgres, <dataDir>/redis. */
  dataDir: string;
  log?: (msg: string) => void;
  /** Try `docker compose` (step 2). Default true. */
  docker?: boolean;
  /** Allow `apt-get install` as root on Debian (step 4). Default true. */
  install?: boolean;
}

const PROBE_TIMEOUT_MS = 1500;
const COMPOSE_WAIT_MS = 60_000;
const LOCAL_DB = 'oms';
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Log = (msg: string) => void;
interface Probe {
  ok: boolean;
  reason: string;
}
interface Instance {
  url: string;
  label: string | null;
  stop: () => Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Probes

/** The URL with any password replaced, for log lines and error messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function firstLine(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = (e?.message || String(err)).split('\n')[0]!.trim();
  return e?.code && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg || 'unknown error';
}

function tcpProbe(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (p: Probe) => {
      socket.destroy();
      resolve(p);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: `TCP connect to ${host}:${port} timed out` }));
    socket.once('connect', () => done({ ok: true, reason: 'TCP connect ok' }));
    socket.once('error', (err) =>
      done({ ok: false, reason: `TCP connect to ${host}:${port} failed (${firstLine(err)})` }),
    );
  });
}

function hostPort(url: string, defaultPort: number): { host: string; port: number } | null {
  try {
    const u = new URL(url);
    const host = decodeURIComponent(u.hostname).replace(/^\[|\]$/g, '');
    if (!host || host.startsWith('/')) return null; // Unix socket: let the client try it
    return { host, port: u.port ? Number(u.port) : defaultPort };
  } catch {
    return null;
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function probePostgresDetailed(url: string): Promise<Probe & { missingDb?: boolean }> {
  const hp = hostPort(url, 5432);
  if (hp) {
    const tcp = await tcpProbe(hp.host, hp.port);
    if (!tcp.ok) return tcp;
  }
  const client = new pg.Client({
    ...pgConnection(url),
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true, reason: 'select 1 ok' };
  } catch (err) {
    // The server answers but the database is not there yet: a server we can use (we create it).
    if ((err as { code?: string }).code === '3D000') return { ok: false, missingDb: true, reason: firstLine(err) };
    return { ok: false, reason: firstLine(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** True when `select 1` works at the URL (short timeouts, no retries). */
export async function postgresAnswers(url: string): Promise<boolean> {
  return (await probePostgresDetailed(url)).ok;
}

async function probeRedisDetailed(url: string): Promise<Probe> {
  const hp = hostPort(url, 6379);
  if (hp) {
    const tcp = await tcpProbe(hp.host, hp.port);
    if (!tcp.ok) return tcp;
  }
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    commandTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pong = await redis.ping();
    return pong === 'PONG' ? { ok: true, reason: 'PING ok' } : { ok: false, reason: `PING answered ${pong}` };
  } catch (err) {
    return { ok: false, reason: firstLine(err) };
  } finally {
    redis.disconnect();
  }
}

/** True when PING works at the URL (short timeouts, no retries). */
export async function redisAnswers(url: string): Promise<boolean> {
  return (await probeRedisDetailed(url)).ok;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** Creates the database when it does not exist (connecting to the `postgres` database of the same server). */
async function createDatabaseIfMissing(url: string, name: string): Promise<boolean> {
  const client = new pg.Client({ ...pgConnection(withDatabase(url, 'postgres')), connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return false;
    await client.query(`create database "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false; // created meanwhile by someone else
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

interface RunUser {
  name: string;
  uid: number;
  gid: number;
}

interface RunOptions {
  timeout?: number;
  as?: RunUser | null;
  env?: NodeJS.ProcessEnv;
}

/** execFile that resolves with stdout and rejects with an Error carrying the command's stderr. */
function run(cmd: string, args: string[], o: RunOptions = {}): Promise<string> {
  const options: ExecFileOptions = {
    timeout: o.timeout ?? 60_000,
    env: o.env ?? process.env,
    maxBuffer: 32 * 1024 * 1024,
    encoding: 'utf8',
  };
  if (o.as) {
    // Drop to the unprivileged user (libuv also clears supplementary groups). Start from `/` so a
    // current directory the user may not read (e.g. under /root) does not break initdb.
    options.uid = o.as.uid;
    options.gid = o.as.gid;
    options.cwd = '/';
  }
  return new Promise((resolve, reject) => {
    execFile(cmd, args, options, (err, stdout, stderr) => {
      if (!err) return resolve(String(stdout));
      const e = err as { code?: unknown; killed?: boolean; signal?: string | null };
      const how = e.killed
        ? `timed out after ${options.timeout} ms`
        : typeof e.code === 'number'
          ? `exited with ${e.code}`
          : firstLine(err);
      const detail = String(stderr || stdout || '')
        .trim()
        .split('\n')
        .filter(Boolean)
        .slice(-3)
        .join(' | ');
      reject(new Error(`${path.basename(cmd)} ${args[0] ?? ''} ${how}${detail ? `: ${detail}` : ''}`));
    });
  });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A command on PATH (plus the usual system directories), like `command -v`. */
function which(cmd: string): string | null {
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter),
    '/usr/local/bin',
    '/usr/bin',
    '/usr/sbin',
    '/bin',
    '/sbin',
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    if (isExecutable(file)) return file;
  }
  return null;
}

const isRoot = (): boolean => process.getuid?.() === 0;

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EPERM') return false;
  }
  // A daemon that exited stays a zombie until init reaps it, which some inits do late: that is dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Whether the live process's command line contains all of `needles` (Linux /proc; elsewhere: alive is enough). */
function processMatches(pid: number, needles: string[]): boolean {
  if (!pidAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return needles.every((n) => cmdline.includes(n));
  } catch {
    return !existsSync('/proc/self'); // no /proc to ask: trust the pid
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Single-quote for the /bin/sh command line pg_ctl builds from `-o`. */
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// Leases: every process using a local instance holds a file <dataDir>/leases/<service>/<pid>-<rand>,
// so an instance is stopped by the last user out, and one left by a killed run is adopted and stopped.

function leasesDir(opts: EnsureOptions, service: string): string {
  return path.join(path.resolve(opts.dataDir), 'leases', service);
}

/** Pids of live processes holding a lease in `dir` (stale leases are removed on the way). */
function leaseHolders(dir: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const f of entries) {
    const pid = Number(f.split('-')[0]);
    if (pidAlive(pid)) pids.push(pid);
    else rmSync(path.join(dir, f), { force: true });
  }
  return pids;
}

/** Takes a lease now; the returned stop() releases it and stops the server when no one else holds one. */
function leasedStop(dir: string, what: string, log: Log, stopServer: () => Promise<void>): () => Promise<void> {
  mkdirSync(dir, { recursive: true });
  const mine = path.join(dir, `${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(mine, `${new Date().toISOString()}\n`);
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    rmSync(mine, { force: true });
    const others = leaseHolders(dir);
    if (others.length) {
      log(`${what}: left running, still used by pid ${others.join(', ')}`);
      return;
    }
    const t0 = Date.now();
    await stopServer();
    log(`${what}: stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
}

/** Runs `fn` holding <dataDir>/leases/<service>.lock, so concurrent runs do not both start a server. */
async function withStartLock<T>(opts: EnsureOptions, service: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const dir = path.join(path.resolve(opts.dataDir), 'leases');
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, `${service}.lock`);
  const deadline = Date.now() + 120_000;
  let waited = false;
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(lock, 'utf8').trim());
      } catch {
        continue; // released meanwhile
      }
      if (!pidAlive(owner) || owner === process.pid || Date.now() > deadline) {
        rmSync(lock, { force: true });
        continue;
      }
      if (!waited) log(`${service}: waiting for pid ${owner}, which is starting it too`);
      waited = true;
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function reuseNote(holders: number[]): string {
  return holders.length
    ? `shared with pid ${holders.join(', ')}; the last user stops it`
    : 'left by an interrupted run; adopted, so it is stopped at the end';
}

// ---------------------------------------------------------------------------------------------
// Step 2: docker compose

async function dockerAnswers(): Promise<{ ok: boolean; reason: string; compose?: string[] }> {
  const docker = which('docker');
  if (!docker) return { ok: false, reason: 'no docker command' };
  if (!existsSync(path.join(REPO_ROOT, 'docker-compose.yml')))
    return { ok: false, reason: `no docker-compose.yml in ${REPO_ROOT}` };
  try {
    await run(docker, ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000 });
  } catch (err) {
    return { ok: false, reason: firstLine(err).slice(0, 200) };
  }
  try {
    await run(docker, ['compose', 'version'], { timeout: 5000 });
    return { ok: true, reason: 'docker engine answers', compose: [docker, 'compose'] };
  } catch {
    const legacy = which('docker-compose');
    if (legacy) return { ok: true, reason: 'docker engine answers', compose: [legacy] };
    return { ok: false, reason: 'docker engine answers but neither `docker compose` nor docker-compose is installed' };
  }
}

async function viaCompose(
  compose: string[],
  service: 'postgres' | 'redis',
  url: string,
  check: () => Promise<boolean>,
  log: Log,
): Promise<Instance | null> {
  const [cmd, ...pre] = compose as [string, ...string[]];
  const file = ['-f', path.join(REPO_ROOT, 'docker-compose.yml')];
  log(`${service}: running \`docker compose up -d ${service}\``);
  try {
    await run(cmd, [...pre, ...file, 'up', '-d', service], { timeout: 300_000 });
  } catch (err) {
    log(`${service}: docker compose up failed (${firstLine(err).slice(0, 300)}); falling back to local binaries`);
    return null;
  }
  if (!(await waitUntil(check, COMPOSE_WAIT_MS, 500))) {
    log(
      `${service}: the docker compose service did not answer at ${redact(url)} within ${COMPOSE_WAIT_MS / 1000} s; falling back to local binaries`,
    );
    return null;
  }
  log(`${service}: the docker compose service answers at ${redact(url)}`);
  return {
    url,
    label: `${service} (docker compose, port ${new URL(url).port})`,
    stop: async () => {
      await run(cmd, [...pre, ...file, 'stop', service], { timeout: 120_000 }).then(
        () => log(`${service}: stopped the docker compose service`),
        (err) => log(`${service}: docker compose stop failed: ${firstLine(err)}`),
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Step 3: local PostgreSQL

interface PgBin {
  dir: string;
  major: number;
  version: string;
}

function pgVersionOf(dir: string): PgBin | null {
  if (!['initdb', 'pg_ctl', 'postgres'].every((b) => isExecutable(path.join(dir, b)))) return null;
  const r = spawnSync(path.join(dir, 'pg_ctl'), ['--version'], { encoding: 'utf8', timeout: 5000 });
  const m = /(\d+)(?:\.(\d+))?/.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) return null;
  return { dir, major: Number(m[1]), version: m[0] };
}

/** Server binaries (initdb, pg_ctl, postgres): PATH, /usr/lib/postgresql/<v>/bin, /usr/pgsql-<v>/bin; newest first. */
export function findPostgresBinaries(): PgBin[] {
  const dirs = new Set<string>();
  const add = (d: string) => {
    try {
      dirs.add(realpathSync(d));
    } catch {
      /* missing */
    }
  };
  const initdb = which('initdb');
  if (initdb) add(path.dirname(realpathSync(initdb)));
  for (const root of ['/usr/lib/postgresql']) {
    if (existsSync(root)) for (const v of readdirSync(root)) add(path.join(root, v, 'bin'));
  }
  if (existsSync('/usr'))
    for (const d of readdirSync('/usr')) if (d.startsWith('pgsql-')) add(path.join('/usr', d, 'bin'));
  return [...dirs]
    .map(pgVersionOf)
    .filter((b): b is PgBin => b !== null)
    .sort((a, b) => b.major - a.major);
}

function userByName(name: string): RunUser | null {
  const u = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return null;
  return { name, uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** initdb and postgres refuse to run as root: pick (or create) an unprivileged user to run them as. */
function postgresServiceUser(log: Log): RunUser | null {
  const existing = userByName('postgres') ?? userByName('nobody');
  if (existing) return existing;
  const useradd = which('useradd');
  if (useradd) {
    const r = spawnSync(useradd, ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
      encoding: 'utf8',
    });
    if (r.status === 0) {
      log('postgres: created the system user `postgres` to run a local PostgreSQL (it refuses to run as root)');
      return userByName('postgres');
    }
  }
  return null;
}

function canAccessAs(user: RunUser, dir: string): boolean {
  const r = spawnSync('/bin/sh', ['-c', 'test -d "$1" && test -w "$1" && test -x "$1"', 'sh', dir], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
  });
  return r.status === 0;
}

function chownTree(target: string, user: RunUser): void {
  if (!existsSync(target)) return;
  const st = statSync(target);
  if (st.uid === user.uid && st.gid === user.gid) return;
  const r = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chown -R ${user.name} ${target} failed: ${r.stderr.trim()}`);
}

function readPostmasterPid(dir: string): { pid: number; port: number } | null {
  try {
    const lines = readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  } catch {
    return null;
  }
}

function localPgUrl(port: number, db: string): string {
  return `postgres://postgres@127.0.0.1:${port}/${db}`;
}

async function startLocalPostgres(opts: EnsureOptions, bins: PgBin[], log: Log): Promise<Instance> {
  let runAs: RunUser | null = null;
  if (isRoot()) {
    runAs = postgresServiceUser(log);
    if (!runAs)
      throw new Error('running as root and no unprivileged user (postgres or nobody) exists to run PostgreSQL as');
  }

  // Layout: <base>/postgres (the cluster) and <base>/postgres-sockets (-k).
  let base = path.resolve(opts.dataDir);
  mkdirSync(base, { recursive: true });
  if (runAs) {
    // The service user must be able to reach and write its directories; the cluster itself stays 0700.
    try {
      chmodSync(base, statSync(base).mode | 0o711);
    } catch {
      /* not ours to chmod */
    }
    const probeDir = path.join(base, 'postgres');
    mkdirSync(probeDir, { recursive: true, mode: 0o700 });
    chownTree(probeDir, runAs);
    if (!canAccessAs(runAs, probeDir)) {
      const fallback = path.join(
        os.tmpdir(),
        `oms-services-${createHash('sha1').update(base).digest('hex').slice(0, 10)}`,
      );
      log(
        `postgres: user ${runAs.name} cannot reach ${probeDir} (a parent directory is private); using ${fallback} instead`,
      );
      base = fallback;
      mkdirSync(base, { recursive: true, mode: 0o755 });
      chmodSync(base, 0o755);
    }
  }
  const dir = path.join(base, 'postgres');
  let sockets = path.join(base, 'postgres-sockets');
  if (Buffer.byteLength(sockets) > 80) {
    // Unix socket paths are limited to ~107 bytes (".s.PGSQL.<port>.lock" included).
    sockets = path.join(os.tmpdir(), `oms-pg-${createHash('sha1').update(dir).digest('hex').slice(0, 10)}`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(sockets, { recursive: true, mode: 0o755 });
  if (runAs) {
    chownTree(dir, runAs);
    chownTree(sockets, runAs);
  }

  // Pick the binaries: the major version the cluster was made with, else the newest.
  let bin = bins[0]!;
  const versionFile = path.join(dir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const clusterMajor = Number(readFileSync(versionFile, 'utf8').trim());
    const same = bins.find((b) => b.major === clusterMajor);
    if (same) {
      bin = same;
    } else {
      const aside = `${dir}.v${clusterMajor}.${Date.now()}`;
      log(
        `postgres: ${dir} was made by PostgreSQL ${clusterMajor}, whose binaries are gone; moving it to ${aside} and creating a new cluster`,
      );
      renameSync(dir, aside);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (runAs) chownTree(dir, runAs);
    }
  }
  const pgCtl = path.join(bin.dir, 'pg_ctl');
  const leases = leasesDir(opts, 'postgres');
  const stopServer = async () => {
    const info = readPostmasterPid(dir);
    if (!info || !processMatches(info.pid, ['postgres', dir])) {
      log(`postgres: the server in ${dir} is not running any more`);
      return;
    }
    try {
      await run(pgCtl, ['-D', dir, '-m', 'fast', '-w', '-t', '60', 'stop'], { as: runAs, timeout: 90_000 });
    } catch (err) {
      log(`postgres: pg_ctl stop failed (${firstLine(err)}); sending SIGQUIT`);
      const info = readPostmasterPid(dir);
      if (info && processMatches(info.pid, ['postgres', dir])) process.kill(info.pid, 'SIGQUIT');
    }
  };

  // Already running from this directory (a concurrent or an earlier, interrupted run)? Reuse it.
  const pidInfo = readPostmasterPid(dir);
  if (pidInfo) {
    if (processMatches(pidInfo.pid, ['postgres', dir])) {
      const url = localPgUrl(pidInfo.port, 'postgres');
      if (await waitUntil(() => postgresAnswers(url), 15_000, 500)) {
        await createDatabaseIfMissing(url, LOCAL_DB);
        log(
          `postgres: reusing the local instance already running from ${dir} on port ${pidInfo.port} (${reuseNote(leaseHolders(leases))})`,
        );
        const what = `postgres (local binary, port ${pidInfo.port})`;
        return {
          url: localPgUrl(pidInfo.port, LOCAL_DB),
          label: null,
          stop: leasedStop(leases, what, log, stopServer),
        };
      }
      log(`postgres: the local instance in ${dir} (pid ${pidInfo.pid}) does not answer; stopping it`);
      await run(pgCtl, ['-D', dir, '-m', 'immediate', '-w', '-t', '30', 'stop'], { as: runAs }).catch(() => {});
    } else {
      log(`postgres: removing the stale ${path.join(dir, 'postmaster.pid')} (pid ${pidInfo.pid} is not its server)`);
    }
    rmSync(path.join(dir, 'postmaster.pid'), { force: true });
    for (const f of readdirSync(sockets)) if (f.startsWith('.s.PGSQL.')) rmSync(path.join(sockets, f), { force: true });
  }

  const t0 = Date.now();
  if (!existsSync(versionFile)) {
    log(
      `postgres: initialising a local PostgreSQL ${bin.version} cluster in ${dir}${runAs ? ` as user ${runAs.name}` : ''}`,
    );
    await run(
      path.join(bin.dir, 'initdb'),
      ['-D', dir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { as: runAs, timeout: 180_000 },
    );
  }

  let lastErr: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const serverOpts = [
      `-p ${port}`,
      '-h 127.0.0.1',
      `-k ${shq(sockets)}`,
      '-c synchronous_commit=off',
      '-c max_connections=200',
    ].join(' ');
    try {
      await run(pgCtl, ['-D', dir, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', serverOpts, 'start'], {
        as: runAs,
        timeout: 90_000,
      });
    } catch (err) {
      lastErr = err;
      const info = readPostmasterPid(dir);
      if (info && !processMatches(info.pid, ['postgres', dir]))
        rmSync(path.join(dir, 'postmaster.pid'), { force: true });
      log(
        `postgres: starting on port ${port} failed (${firstLine(err).slice(0, 300)})${attempt < 3 ? '; retrying' : ''}`,
      );
      continue;
    }
    const adminUrl = localPgUrl(port, 'postgres');
    if (!(await waitUntil(() => postgresAnswers(adminUrl), 30_000))) {
      lastErr = new Error(`the local PostgreSQL did not answer on port ${port}; see ${path.join(dir, 'server.log')}`);
      await run(pgCtl, ['-D', dir, '-m', 'immediate', '-w', 'stop'], { as: runAs }).catch(() => {});
      continue;
    }
    if (await createDatabaseIfMissing(adminUrl, LOCAL_DB)) log(`postgres: created database ${LOCAL_DB}`);
    log(
      `postgres: started a local instance on 127.0.0.1:${port} in ${((Date.now() - t0) / 1000).toFixed(1)} s (data in ${dir})`,
    );
    const label = `postgres (local binary, port ${port})`;
    return { url: localPgUrl(port, LOCAL_DB), label, stop: leasedStop(leases, label, log, stopServer) };
  }
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}

// ---------------------------------------------------------------------------------------------
// Step 3: local Redis

/** The server's own pid (INFO server), which is what we stop: not whatever the pid file says by now. */
async function redisPid(url: string): Promise<number> {
  const client = new Redis(url, {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
  } catch {
    return NaN;
  } finally {
    client.disconnect();
  }
}

export function findRedisServer(): string | null {
  return which('redis-server');
}

async function startLocalRedis(opts: EnsureOptions, server: string, log: Log): Promise<Instance> {
  const dir = path.resolve(opts.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  const portFile = path.join(dir, 'redis.port');
  const leases = leasesDir(opts, 'redis');
  const stopServer = (url: string, pid: number) => async () => {
    const client = new Redis(url, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: PROBE_TIMEOUT_MS,
      lazyConnect: true,
    });
    client.on('error', () => {});
    await client
      .connect()
      .then(() => client.call('SHUTDOWN', 'NOSAVE'))
      .catch(() => {}); // the server hangs up: that is the answer
    client.disconnect();
    if (!(await waitUntil(async () => !pidAlive(pid), 5000, 50)) && processMatches(pid, ['redis'])) {
      log(`redis: SHUTDOWN did not stop pid ${pid}; sending SIGTERM`);
      process.kill(pid, 'SIGTERM');
    }
    rmSync(portFile, { force: true });
  };

  // Already running from this directory (a concurrent or an earlier, interrupted run)? Reuse it.
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const port = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : NaN;
    const url = `redis://127.0.0.1:${port}`;
    if (processMatches(pid, ['redis']) && Number.isInteger(port) && (await redisAnswers(url))) {
      log(
        `redis: reusing the local instance already running from ${dir} on port ${port} (${reuseNote(leaseHolders(leases))})`,
      );
      return {
        url,
        label: null,
        stop: leasedStop(leases, `redis (local binary, port ${port})`, log, stopServer(url, await redisPid(url))),
      };
    }
    rmSync(pidFile, { force: true });
  }

  let lastErr: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const t0 = Date.now();
    try {
      await run(
        server,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'yes',
          '--dir',
          dir,
          '--pidfile',
          pidFile,
          '--logfile',
          path.join(dir, 'redis.log'),
        ],
        { timeout: 30_000 },
      );
    } catch (err) {
      lastErr = err;
      continue;
    }
    if (!(await waitUntil(() => redisAnswers(url), 20_000, 100))) {
      lastErr = new Error(`the local Redis did not answer on port ${port}; see ${path.join(dir, 'redis.log')}`);
      log(`redis: ${firstLine(lastErr)}${attempt < 3 ? '; retrying' : ''}`);
      continue;
    }
    writeFileSync(portFile, `${port}\n`);
    const pid = await redisPid(url);
    log(
      `redis: started a local instance on 127.0.0.1:${port} in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${pid}, files in ${dir})`,
    );
    const label = `redis (local binary, port ${port})`;
    return { url, label, stop: leasedStop(leases, label, log, stopServer(url, pid)) };
  }
  throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
}

// ---------------------------------------------------------------------------------------------
// Step 4: apt-get

async function aptInstall(packages: string[], log: Log): Promise<boolean> {
  const aptGet = which('apt-get');
  if (!isRoot() || !existsSync('/etc/debian_version') || !aptGet) return false;
  log(`installing ${packages.join(' ')} with apt-get (root on Debian; this can take a minute)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run(aptGet, ['update'], { env, timeout: 300_000 });
    await run(aptGet, ['install', '-y', '--no-install-recommends', ...packages], { env, timeout: 900_000 });
    log(`installed ${packages.join(' ')}`);
    return true;
  } catch (err) {
    log(`apt-get failed: ${firstLine(err).slice(0, 400)}`);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------

export async function ensureServices(opts: EnsureOptions): Promise<EnsuredServices> {
  const log: Log = opts.log ?? (() => {});
  let databaseUrl = opts.databaseUrl;
  let redisUrl = opts.redisUrl;
  const instances: Instance[] = [];
  const stopAll = async () => {
    for (const i of instances.splice(0).reverse()) await i.stop();
  };

  // Step 1: the configured URLs.
  const [pgProbe, redisProbe] = await Promise.all([probePostgresDetailed(databaseUrl), probeRedisDetailed(redisUrl)]);
  let needPg = !pgProbe.ok;
  if (pgProbe.missingDb) {
    const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
    try {
      await createDatabaseIfMissing(databaseUrl, name);
      log(`postgres: ${redact(databaseUrl)} answers; created the missing database ${name}; using it`);
    } catch (err) {
      log(
        `postgres: ${redact(databaseUrl)} answers but database ${name} is missing and could not be created (${firstLine(err)}); using it anyway`,
      );
    }
    needPg = false;
  } else if (pgProbe.ok) {
    log(`postgres: ${redact(databaseUrl)} answers (select 1); using it`);
  } else {
    log(`postgres: not reachable at ${redact(databaseUrl)} (${pgProbe.reason})`);
  }
  const needRedis = !redisProbe.ok;
  log(
    needRedis
      ? `redis: not reachable at ${redact(redisUrl)} (${redisProbe.reason})`
      : `redis: ${redact(redisUrl)} answers (PING); using it`,
  );

  if (!needPg && !needRedis) return { databaseUrl, redisUrl, started: [], stop: async () => {} };

  try {
    // Step 2: docker compose.
    if (opts.docker !== false) {
      const docker = await dockerAnswers();
      if (docker.ok && docker.compose) {
        if (needPg) {
          const url = 'postgres://postgres:postgres@127.0.0.1:5432/oms';
          const serverUp = async () => {
            const p = await probePostgresDetailed(url);
            return p.ok || !!p.missingDb; // a kept volume may predate POSTGRES_DB
          };
          const inst = await viaCompose(docker.compose, 'postgres', url, serverUp, log);
          if (inst) {
            if (await createDatabaseIfMissing(url, LOCAL_DB)) log(`postgres: created database ${LOCAL_DB}`);
            instances.push(inst);
            databaseUrl = inst.url;
            needPg = false;
          }
        }
        if (needRedis) {
          const url = 'redis://127.0.0.1:6379';
          const inst = await viaCompose(docker.compose, 'redis', url, () => redisAnswers(url), log);
          if (inst) {
            instances.push(inst);
            redisUrl = inst.url;
          }
        }
      } else {
        log(`docker: not usable (${docker.reason}); trying local binaries`);
      }
    }
    const redisStillNeeded = needRedis && redisUrl === opts.redisUrl;

    // Step 4 (before 3 when binaries are missing): apt-get what is missing.
    let pgBins = needPg ? findPostgresBinaries() : [];
    let redisServer = redisStillNeeded ? findRedisServer() : null;
    const missing = [
      ...(needPg && pgBins.length === 0 ? ['postgresql'] : []),
      ...(redisStillNeeded && !redisServer ? ['redis-server'] : []),
    ];
    if (missing.length) {
      log(`local binaries not found: ${missing.join(', ')}`);
      if (opts.install !== false && (await aptInstall(missing, log))) {
        if (needPg) pgBins = findPostgresBinaries();
        if (redisStillNeeded) redisServer = findRedisServer();
      }
    }

    // Step 3: private local instances (in parallel), or step 5: say what to do.
    const pgError = (why: string) =>
      new Error(
        `PostgreSQL is not reachable at ${redact(opts.databaseUrl)} (${pgProbe.reason}) and could not be started (${why}): ` +
          'install PostgreSQL 15+ (apt-get install postgresql), or start Docker so `docker compose up -d postgres` works, ' +
          'or set DATABASE_URL to a server that answers',
      );
    const redisError = (why: string) =>
      new Error(
        `Redis is not reachable at ${redact(opts.redisUrl)} (${redisProbe.reason}) and could not be started (${why}): ` +
          'install Redis 6.2+ (apt-get install redis-server), or start Docker so `docker compose up -d redis` works, ' +
          'or set REDIS_URL to a server that answers',
      );
    const [pgResult, redisResult] = await Promise.allSettled([
      needPg
        ? pgBins.length
          ? withStartLock(opts, 'postgres', log, () => startLocalPostgres(opts, pgBins, log)).catch((err: unknown) =>
              Promise.reject(pgError(firstLine(err))),
            )
          : Promise.reject(pgError('no initdb/pg_ctl/postgres on PATH or under /usr/lib/postgresql/*/bin'))
        : Promise.resolve(null),
      redisStillNeeded
        ? redisServer
          ? withStartLock(opts, 'redis', log, () => startLocalRedis(opts, redisServer, log)).catch((err: unknown) =>
              Promise.reject(redisError(firstLine(err))),
            )
          : Promise.reject(redisError('no redis-server on PATH'))
        : Promise.resolve(null),
    ]);
    for (const r of [pgResult, redisResult]) if (r.status === 'fulfilled' && r.value) instances.push(r.value);
    const failures = [pgResult, redisResult].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length) throw new Error(failures.map((f) => (f.reason as Error).message).join('\n'));
    if (pgResult.status === 'fulfilled' && pgResult.value) databaseUrl = pgResult.value.url;
    if (redisResult.status === 'fulfilled' && redisResult.value) redisUrl = redisResult.value.url;
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }

  return {
    databaseUrl,
    redisUrl,
    started: instances.map((i) => i.label).filter((l): l is string => l !== null),
    stop: stopAll,
  };
}
