import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type pg from 'pg';
import { ApiKeys } from '../auth/api-keys.ts';
import { OAuthClients } from '../auth/oauth-clients.ts';
import { loadKeyRing } from '../auth/signing-keys.ts';
import { TokenService } from '../auth/tokens.ts';
import type { Config } from '../config/config.ts';
import { createKnex } from '../db/knex.ts';
import { createPool } from '../db/pool.ts';
import type { EventStore } from '../eventstore/port.ts';
import { QUEUE_NAME } from '../jobs/worker.ts';
import { MAINTENANCE_QUEUE } from '../jobs/maintenance.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { PiiKeys } from '../pii/keys.ts';
import { loadTlsMaterial, type TlsMaterial } from '../security/tls.ts';
import { TenantSettings } from '../tenants/tenant-settings.ts';
import { createEventStore } from './event-store.ts';

/** Everything one process connects to or holds, made once at start and shared by every role. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly pool: pg.Pool;
  readonly knex: Knex;
  readonly store: EventStore;
  readonly redis: Redis;
  readonly queue: Queue;
  /** The housekeeping queue (jobs/maintenance.ts), here for its counts: the workers run it. */
  readonly maintenanceQueue: Queue;
  readonly apiKeys: ApiKeys;
  readonly oauthClients: OAuthClients;
  readonly tokens: TokenService;
  readonly tenantSettings: TenantSettings;
  readonly piiKeys: PiiKeys;
  /** The certificate and key when the service serves HTTPS itself. */
  readonly tls: TlsMaterial | null;
}

export async function connectServices(config: Config, logger: Logger): Promise<Services> {
  // Checked before anything connects: a bad certificate fails the start, not the first client.
  const tls = config.tls ? loadTlsMaterial(config.tls) : null;
  // Keys first: a bad key stops the start before any connection is opened.
  const tokens = new TokenService(await loadKeyRing(config.jwt), config.jwt);
  const pool = createPool(config.databaseUrl, { max: 20 });
  const knex = createKnex(config.databaseUrl);
  const piiKeys = new PiiKeys(pool, config.masterKey);
  if (config.devKeys) {
    logger.warn(
      'OMS_DEV_KEYS is on: unset OMS_MASTER_KEY / OMS_EMAIL_HASH_KEY fall back to the development keys published in the source; for local development only',
    );
  }
  if (config.webhooksAllowPrivateNetworks) {
    logger.warn(
      'OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS is on: webhook URLs may point at private, loopback and link-local addresses (the SSRF guard is off); use it only on a trusted network',
    );
  }
  const store = await createEventStore(config.eventStoreUrl, pool, piiKeys);
  // BullMQ needs maxRetriesPerRequest: null on its connections; commands then wait for Redis
  // to come back instead of failing.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: config.redisPrefix });
  queue.on('error', (err) => logger.warn({ err: err.message }, 'queue error'));
  const maintenanceQueue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: config.redisPrefix });
  maintenanceQueue.on('error', (err) => logger.warn({ err: err.message }, 'maintenance queue error'));
  return {
    config,
    logger,
    metrics: createMetrics(),
    pool,
    knex,
    store,
    redis,
    queue,
    maintenanceQueue,
    apiKeys: new ApiKeys(pool),
    oauthClients: new OAuthClients(pool),
    tokens,
    tenantSettings: new TenantSettings(pool),
    piiKeys,
    tls,
  };
}

/** Closes what connectServices opened, in dependency order. */
export async function closeServices(s: Services): Promise<void> {
  await s.queue.close();
  await s.maintenanceQueue.close();
  s.redis.disconnect();
  await s.store.close();
  await s.knex.destroy();
  await s.pool.end();
}
