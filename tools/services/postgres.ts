// Step 3: a private PostgreSQL from the local binaries, on a free port, its cluster under
// <dataDir>/postgres (reused when one is already running from there); stopped by the last lease holder.
import { readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ensureDatabase, withDatabase } from '../../src/db/ensure-database.ts';
import { leasedStop, leaseHolders, leasesDir, reuseNote } from './leases.ts';
import { type PgBin, prepareCluster } from './postgres-setup.ts';
import { firstLine, postgresAnswers, waitUntil } from './probe.ts';
import { freePort, processMatches, run, shq } from './process.ts';
import type { EnsureOptions, Instance, Log } from './types.ts';

/** The database a local or docker compose PostgreSQL gets. */
export const LOCAL_DB = 'oms';

/** Creates the database when it does not exist on the server of `url`. */
export function createDatabaseIfMissing(url: string, name: string): Promise<boolean> {
  return ensureDatabase(withDatabase(url, name), { connectTimeoutMs: 5000 });
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

export async function startLocalPostgres(opts: EnsureOptions, bins: PgBin[], log: Log): Promise<Instance> {
  const { runAs, dir, sockets, bin, versionFile } = prepareCluster(opts, bins, log);
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
