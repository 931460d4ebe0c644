// Running commands and looking at processes: execFile with readable errors, `command -v`, pid checks,
// free ports, and the unprivileged user a root run starts PostgreSQL as.
import { execFile, spawnSync, type ExecFileOptions } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { firstLine } from './probe.ts';

export interface RunUser {
  name: string;
  uid: number;
  gid: number;
}

export interface RunOptions {
  timeout?: number;
  as?: RunUser | null;
  env?: NodeJS.ProcessEnv;
}

/** execFile that resolves with stdout and rejects with an Error carrying the command's stderr. */
export function run(cmd: string, args: string[], o: RunOptions = {}): Promise<string> {
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

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A command on PATH (plus the usual system directories), like `command -v`. */
export function which(cmd: string): string | null {
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

export const isRoot = (): boolean => process.getuid?.() === 0;

export function pidAlive(pid: number): boolean {
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
export function processMatches(pid: number, needles: string[]): boolean {
  if (!pidAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return needles.every((n) => cmdline.includes(n));
  } catch {
    return !existsSync('/proc/self'); // no /proc to ask: trust the pid
  }
}

export function freePort(): Promise<number> {
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
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function userByName(name: string): RunUser | null {
  const u = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return null;
  return { name, uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export function canAccessAs(user: RunUser, dir: string): boolean {
  const r = spawnSync('/bin/sh', ['-c', 'test -d "$1" && test -w "$1" && test -x "$1"', 'sh', dir], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
  });
  return r.status === 0;
}

export function chownTree(target: string, user: RunUser): void {
  if (!existsSync(target)) return;
  const st = statSync(target);
  if (st.uid === user.uid && st.gid === user.gid) return;
  const r = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chown -R ${user.name} ${target} failed: ${r.stderr.trim()}`);
}
