// Step 3, before a local PostgreSQL can start: its server binaries, the unprivileged user a root run
// starts it as, and the cluster directory under <dataDir> (moved aside when its major version is gone).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canAccessAs, chownTree, isExecutable, isRoot, type RunUser, userByName, which } from './process.ts';
import type { EnsureOptions, Log } from './types.ts';

export interface PgBin {
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

export interface Cluster {
  /** The user initdb, pg_ctl and postgres run as (null: this process's user). */
  runAs: RunUser | null;
  /** The cluster's data directory. */
  dir: string;
  /** The Unix socket directory (-k). */
  sockets: string;
  /** The binaries for the cluster's major version, else the newest. */
  bin: PgBin;
  /** <dir>/PG_VERSION: absent until initdb has run. */
  versionFile: string;
}

/** Creates the directories a local PostgreSQL needs, owned by the user it will run as. */
export function prepareCluster(opts: EnsureOptions, bins: PgBin[], log: Log): Cluster {
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
  return { runAs, dir, sockets, bin, versionFile };
}
