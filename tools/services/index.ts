// Bring up Postgres and Redis for `npm start` / `npm test` when the configured ones do not answer.
// For each of them, independently:
// 1. the configured URL answers → use it unchanged;
// 2. a Docker engine answers → `docker compose up -d postgres|redis` and wait until it answers;
// 3. local binaries → a private instance on a free port, data under <dataDir>/postgres|redis
//    (reused across runs; what this call started is stopped by stop());
// 4. root on Debian with apt-get → install the missing packages, then 3;
// 5. otherwise throw an Error saying what to install or which URL to set.
//
// One file per job: probe.ts (does it answer?), compose.ts (step 2), postgres.ts and
// postgres-setup.ts, redis.ts (step 3), apt.ts (step 4); process.ts and leases.ts are their helpers.
import { aptInstall } from './apt.ts';
import { dockerAnswers, viaCompose } from './compose.ts';
import { createDatabaseIfMissing, LOCAL_DB, startLocalPostgres } from './postgres.ts';
import { findPostgresBinaries } from './postgres-setup.ts';
import { firstLine, probePostgresDetailed, probeRedisDetailed, redact, redisAnswers } from './probe.ts';
import { findRedisServer, startLocalRedis } from './redis.ts';
import { withStartLock } from './leases.ts';
import type { EnsuredServices, EnsureOptions, Instance, Log } from './types.ts';

export type { EnsuredServices, EnsureOptions } from './types.ts';
export { findPostgresBinaries } from './postgres-setup.ts';
export { postgresAnswers, redact, redisAnswers } from './probe.ts';
export { findRedisServer } from './redis.ts';

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
