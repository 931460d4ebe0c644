// Leases: every process using a local instance holds a file <dataDir>/leases/<service>/<pid>-<rand>,
// so an instance is stopped by the last user out, and one left by a killed run is adopted and stopped.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidAlive } from './process.ts';
import type { EnsureOptions, Log } from './types.ts';

export function leasesDir(opts: EnsureOptions, service: string): string {
  return path.join(path.resolve(opts.dataDir), 'leases', service);
}

/** Pids of live processes holding a lease in `dir` (stale leases are removed on the way). */
export function leaseHolders(dir: string): number[] {
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
export function leasedStop(dir: string, what: string, log: Log, stopServer: () => Promise<void>): () => Promise<void> {
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
export async function withStartLock<T>(
  opts: EnsureOptions,
  service: string,
  log: Log,
  fn: () => Promise<T>,
): Promise<T> {
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

export function reuseNote(holders: number[]): string {
  return holders.length
    ? `shared with pid ${holders.join(', ')}; the last user stops it`
    : 'left by an interrupted run; adopted, so it is stopped at the end';
}
