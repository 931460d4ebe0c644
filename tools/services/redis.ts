// Step 3: a private Redis from the local redis-server binary, on a free port, files under
// <dataDir>/redis (reused when one is already running from there); stopped by the last lease holder.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { leasedStop, leaseHolders, leasesDir, reuseNote } from './leases.ts';
import { firstLine, PROBE_TIMEOUT_MS, redisAnswers, waitUntil } from './probe.ts';
import { freePort, pidAlive, processMatches, run, which } from './process.ts';
import type { EnsureOptions, Instance, Log } from './types.ts';

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

export async function startLocalRedis(opts: EnsureOptions, server: string, log: Log): Promise<Instance> {
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
