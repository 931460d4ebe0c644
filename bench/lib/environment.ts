// What the results record about where the run happened: machine, commit, Postgres version.
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import pg from 'pg';
import { REPO_ROOT } from './stack.ts';

export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.map((c) => ({ model: c.model, speedMHz: c.speed })),
    cpuCount: cpus.length,
    totalMemMb: Math.round(os.totalmem() / 1024 / 1024),
    freeMemMbStart: Math.round(os.freemem() / 1024 / 1024),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageStart: os.loadavg(),
    hostname: os.hostname(),
  };
}

export async function gitInfo(): Promise<{ commit: string | null; dirty: boolean | null }> {
  const git = promisify(execFile);
  try {
    const { stdout: commit } = await git('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT });
    const { stdout: status } = await git('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT });
    return { commit: commit.trim(), dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** The Postgres server version, for the record (best effort). */
export async function postgresVersion(url: string): Promise<string | null> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return (await c.query<{ v: string }>('show server_version')).rows[0]?.v ?? null;
  } catch {
    return null;
  } finally {
    await c.end().catch(() => {});
  }
}
