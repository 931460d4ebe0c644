import { randomBytes } from 'node:crypto';
import type { Scope } from '../../src/auth/principal.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { JobHandler } from '../../src/jobs/handler.ts';
import { createLogger, type Logger } from '../../src/observability/logger.ts';
import type { RetryPolicy } from '../../src/projector/runner.ts';
import { Runtime, type Role } from '../../src/runtime/runtime.ts';
import { createTestDatabase, REDIS_URL, type TestDatabase } from './database.ts';

export interface TestApp {
  db: TestDatabase;
  runtime: Runtime;
  baseUrl: string;
  redisPrefix: string;
  /** A fresh API key; tenant defaults to a unique one per call. */
  key(scopes?: (Scope | '*')[], tenant?: string): Promise<{ key: string; tenant: string; id: string }>;
  stop(): Promise<void>;
}

/** The real service in-process: its own database and Redis prefix, real Postgres and Redis. */
export async function startTestApp(
  opts: {
    roles?: Role[];
    extraJobHandlers?: JobHandler[];
    env?: Record<string, string>;
    logger?: Logger;
    projectorRetry?: Partial<RetryPolicy>;
    /** The runtime's projectorIdleMs (tests poll hard: 5 ms unless given). */
    projectorIdleMs?: number;
  } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const redisPrefix = `oms-test-${randomBytes(6).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    OMS_REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Tests poll hard with one key; the limiter has its own test.
    OMS_RATE_LIMIT_PER_SECOND: '0',
    OMS_RATE_LIMIT_PER_ADDRESS: '0',
    // Throwaway databases: the development keys (spawned processes on the same database use them too).
    OMS_DEV_KEYS: '1',
    ...opts.env,
  });
  const runtime = await Runtime.create(config, {
    logger: opts.logger ?? createLogger(config.logLevel),
    ...(opts.extraJobHandlers ? { extraJobHandlers: opts.extraJobHandlers } : {}),
    ...(opts.projectorRetry ? { projectorRetry: opts.projectorRetry } : {}),
    projectorIdleMs: opts.projectorIdleMs ?? 5,
    lockRetryMs: 100,
  });
  await runtime.migrate();
  await runtime.start(opts.roles ?? ['api', 'projector', 'worker']);
  const port = runtime.address()?.port;
  return {
    db,
    runtime,
    baseUrl: `http://127.0.0.1:${port}`,
    redisPrefix,
    async key(scopes = ['*'], tenant = `t${randomBytes(5).toString('hex')}`) {
      const created = await runtime.services.apiKeys.create(tenant, scopes);
      return { key: created.key, tenant, id: created.id };
    },
    async stop() {
      await runtime.stop();
      await deleteRedisPrefix(redisPrefix);
      await db.drop();
    },
  };
}

/** Removes every Redis key under the prefix (a test's queues, locks, limiter buckets). */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
