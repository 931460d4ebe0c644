// Throwaway Postgres and Redis servers from the local binaries, owned by one test, so it can stop,
// restart or reconfigure them without touching the shared services other tests use.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findPostgresBinaries, findRedisServer } from '../../tools/services/index.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface PrivatePostgres {
  port: number;
  dir: string;
  url(database?: string, query?: string): string;
  start(): void;
  /** `-m immediate`: like a crash, no checkpoint. */
  stop(): void;
  close(): void;
}

/** null when this machine has no Postgres server binaries (or runs as root without a postgres user). */
export async function createPrivatePostgres(
  opts: {
    /** Extra `postgres` options (e.g. ssl); `dir` is the scratch directory. */
    serverOptions?: (dir: string) => string;
    /** Runs after initdb; `own(file)` gives a file to the server's user. */
    prepare?: (paths: { dir: string; data: string }, own: (file: string) => void) => void;
  } = {},
): Promise<PrivatePostgres | null> {
  const bin = findPostgresBinaries()[0];
  if (!bin) return null;
  let as: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0) return null; // postgres refuses root and there is no user to run it as
    as = { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  const own = (file: string) => as && chownSync(file, as.uid, as.gid);
  const dir = mkdtempSync(path.join(tmpdir(), 'oms-pg-'));
  const data = path.join(dir, 'data');
  own(dir);
  const run = { stdio: 'ignore' as const, cwd: dir, ...(as ?? {}) };
  execFileSync(path.join(bin.dir, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], run);
  opts.prepare?.({ dir, data }, own);
  const port = await freePort();
  const pgCtl = path.join(bin.dir, 'pg_ctl');
  const serverOpts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='${dir}' -c fsync=off ${opts.serverOptions?.(dir) ?? ''}`;
  let running = false;
  const pg: PrivatePostgres = {
    port,
    dir,
    url: (database = 'postgres', query = '') =>
      `postgres://postgres@127.0.0.1:${port}/${database}${query ? `?${query}` : ''}`,
    start() {
      execFileSync(
        pgCtl,
        ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', serverOpts, 'start'],
        run,
      );
      running = true;
    },
    stop() {
      if (running) spawnSync(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], run);
      running = false;
    },
    close() {
      pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  pg.start();
  return pg;
}

export interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  /** SIGKILL: no goodbye, like a crashed or partitioned Redis (the append-only file keeps the data). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function createPrivateRedis(): Promise<PrivateRedis | null> {
  const server = findRedisServer();
  if (!server) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'oms-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write('PING\r\n');
      });
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      s.once('error', () => resolve(false));
    });
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        server,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
        ],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 200 && !(await answers()); i++) await new Promise((r) => setTimeout(r, 50)); // poll until it answers
    },
    async stop() {
      if (!child) return;
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      child = null;
    },
    async close() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}
