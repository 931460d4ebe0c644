import http, { type Server } from 'node:http';
import https from 'node:https';
import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type pg from 'pg';
import { ApiKeys } from '../auth/api-keys.ts';
import { Authenticator } from '../auth/authenticator.ts';
import { OAuthClients } from '../auth/oauth-clients.ts';
import { loadKeyRing } from '../auth/signing-keys.ts';
import { TokenService } from '../auth/tokens.ts';
import { TenantSettings } from '../tenants/tenant-settings.ts';
import type { Config } from '../config/config.ts';
import { createKnex, migrateLatest } from '../db/knex.ts';
import { createPool } from '../db/pool.ts';
import { createEventStore } from './event-store.ts';
import { PiiKeys } from '../pii/keys.ts';
import type { EventStore } from '../eventstore/port.ts';
import { apiRoutes, jobHandlers, projections as builtInProjections } from './features.ts';
import { createHttpApp } from '../http/internal/app.ts';
import { PROBLEM_TYPE_BASE } from '../http/problem.ts';
import { buildOpenApi } from '../http/internal/openapi.ts';
import { oauthRoutes } from '../oauth/routes.ts';
import { operationsRoutes } from '../operations/routes.ts';
import { RateLimiter } from '../http/rate-limiter.ts';
import { dispatcherProjection } from '../jobs/dispatcher.ts';
import type { JobHandler } from '../jobs/handler.ts';
import { QUEUE_NAME, startWorker } from '../jobs/worker.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { ensureCheckpoint } from '../projector/checkpoints.ts';
import type { Projection } from '../projector/projection.ts';
import { ProjectionRunner } from '../projector/runner.ts';
import { sharedLogReader } from '../projector/shared-log.ts';
import { loadTlsMaterial, type TlsMaterial } from '../security/tls.ts';

export type Role = 'api' | 'projector' | 'worker';

export interface RuntimeOptions {
  logger?: Logger;
  /** Extra side-effect handlers (tests use this to exercise the job runtime). */
  extraJobHandlers?: readonly JobHandler[];
  projectorIdleMs?: number;
  lockRetryMs?: number;
}

/**
 * Everything one process holds: connections, the event store, queue, metrics, and whichever
 * roles it runs. The same object serves `npm start`, the CLI and the tests.
 */
export class Runtime {
  readonly projections: readonly Projection[] = builtInProjections;
  readonly handlers: readonly JobHandler[];
  readonly runners: ProjectionRunner[] = [];
  server: Server | null = null;
  private readonly onStop: (() => Promise<void>)[] = [];
  worker: Worker | null = null;
  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly metrics: Metrics,
    readonly pool: pg.Pool,
    readonly knex: Knex,
    readonly store: EventStore,
    readonly redis: Redis,
    readonly queue: Queue,
    readonly apiKeys: ApiKeys,
    readonly oauthClients: OAuthClients,
    readonly tokens: TokenService,
    readonly tenantSettings: TenantSettings,
    readonly piiKeys: PiiKeys,
    private readonly options: RuntimeOptions,
    private readonly tls: TlsMaterial | null,
  ) {
    this.handlers = [...jobHandlers, ...(options.extraJobHandlers ?? [])];
  }

  static async create(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
    // Checked before anything connects: a bad certificate fails the start, not the first client.
    const tls = config.tls ? loadTlsMaterial(config.tls) : null;
    const logger = options.logger ?? createLogger(config.logLevel);
    // Keys first: a bad key stops the start before any connection is opened.
    const tokens = new TokenService(await loadKeyRing(config.jwt), config.jwt);
    const pool = createPool(config.databaseUrl, { max: 20 });
    const knex = createKnex(config.databaseUrl);
    const piiKeys = new PiiKeys(pool, config.masterKey);
    if (config.masterKey.isDevelopmentDefault) {
      logger.warn(
        'OMS_MASTER_KEY is not set: personal data is encrypted under the built-in development master key; set your own in production',
      );
    }
    const store = await createEventStore(config.eventStoreUrl, pool, piiKeys);
    // BullMQ needs maxRetriesPerRequest: null on its connections; commands then wait for Redis
    // to come back instead of failing.
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: config.redisPrefix });
    queue.on('error', (err) => logger.warn({ err: err.message }, 'queue error'));
    return new Runtime(
      config,
      logger,
      createMetrics(),
      pool,
      knex,
      store,
      redis,
      queue,
      new ApiKeys(pool),
      new OAuthClients(pool),
      tokens,
      new TenantSettings(pool),
      piiKeys,
      options,
      tls,
    );
  }

  async migrate(): Promise<string[]> {
    const applied = await migrateLatest(this.knex);
    for (const p of this.allProjections()) await ensureCheckpoint(this.knex, p.name);
    return applied;
  }

  /** Read-model projections plus the job dispatcher (which is checkpointed the same way). */
  allProjections(): Projection[] {
    return [...this.projections, dispatcherProjection(this.queue, this.handlers)];
  }

  routes() {
    const deps = {
      store: this.store,
      knex: this.knex,
      pool: this.pool,
      metrics: this.metrics,
      emailHashKey: this.config.emailHashKey,
      piiKeys: this.piiKeys,
      queue: this.queue,
      config: this.config,
    };
    const api = apiRoutes(deps);
    const ops = operationsRoutes({
      pool: this.pool,
      redis: this.redis,
      store: this.store,
      queue: this.queue,
      metrics: this.metrics,
      rateLimiter: () => this.rateLimiter(),
      openApi: () => openApi,
    });
    const all = [...ops, ...oauthRoutes({ oauthClients: this.oauthClients, tokens: this.tokens }), ...api];
    const openApi = buildOpenApi(all, '1.0.0');
    return all;
  }

  httpApp() {
    return createHttpApp({
      routes: this.routes(),
      logger: this.logger,
      metrics: this.metrics,
      bodyLimitBytes: this.config.bodyLimitBytes,
      corsOrigins: this.config.corsOrigins,
      trustProxy: this.config.trustProxy,
      requestTimeoutMs: this.config.requestTimeoutMs,
      pool: this.pool,
      authenticator: new Authenticator(this.apiKeys, this.oauthClients, this.tokens),
      tenantSettings: this.tenantSettings,
      projectionNames: () => this.projections.map((p) => p.name),
      rateLimiter: this.rateLimiter(),
    });
  }

  private limiter: RateLimiter | null | undefined;
  rateLimiter(): RateLimiter | null {
    if (this.limiter === undefined) {
      this.limiter =
        this.config.rateLimitPerSecond > 0
          ? new RateLimiter(this.config.redisUrl, this.config.redisPrefix, this.config.rateLimitPerSecond, this.logger)
          : null;
      if (this.limiter) {
        const l = this.limiter;
        this.onStop.push(async () => l.close());
      }
    }
    return this.limiter;
  }

  async start(roles: readonly Role[]): Promise<void> {
    if (roles.includes('projector')) {
      const readLog = sharedLogReader(this.store, {
        emptyTtlMs: Math.max(1, (this.options.projectorIdleMs ?? 20) / 2),
      });
      for (const projection of this.allProjections()) {
        const runner = new ProjectionRunner({
          databaseUrl: this.config.databaseUrl,
          knex: this.knex,
          store: this.store,
          projection,
          logger: this.logger,
          metrics: this.metrics,
          idleMs: this.options.projectorIdleMs ?? 20,
          lockRetryMs: this.options.lockRetryMs ?? 1000,
          readLog,
        });
        runner.start();
        this.runners.push(runner);
      }
    }
    if (roles.includes('worker')) {
      const connection = this.redis.duplicate();
      connection.on('error', (err) => this.logger.warn({ err: err.message }, 'worker redis connection error'));
      this.onStop.push(async () => connection.disconnect());
      this.worker = startWorker({
        connection,
        prefix: this.config.redisPrefix,
        handlers: this.handlers,
        store: this.store,
        knex: this.knex,
        queue: this.queue,
        config: this.config,
        logger: this.logger,
      });
    }
    if (roles.includes('api')) {
      if (this.tokens.ephemeral) {
        this.logger.warn(
          'no OMS_JWT_SIGNING_KEY configured: OAuth tokens are signed with a key generated for this process only (fine locally; with several API processes or across restarts, tokens will not verify)',
        );
      }
      const app = this.httpApp();
      // Slow clients cannot hold sockets: the whole request must arrive within requestTimeout,
      // its headers within headersTimeout (slowloris).
      const requestTimeout = this.config.requestTimeoutMs + 5_000;
      const serverOptions = {
        requestTimeout,
        headersTimeout: Math.min(20_000, requestTimeout),
        keepAliveTimeout: 65_000,
      };
      const server: Server = this.tls
        ? https.createServer(
            { ...serverOptions, cert: this.tls.cert, key: this.tls.key, minVersion: 'TLSv1.2' },
            app.callback(),
          )
        : http.createServer(serverOptions, app.callback());
      this.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.config.port, this.config.host, () => resolve());
      });
      // Requests Node rejects before Koa sees them (oversized headers or URL, malformed HTTP) still get problem+json.
      this.server!.on('clientError', (err: NodeJS.ErrnoException, socket) => {
        if (!socket.writable) return socket.destroy();
        const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
        const body = JSON.stringify({
          type: `${PROBLEM_TYPE_BASE}${status === 431 ? 'headers_too_large' : 'bad_request'}`,
          title: status === 431 ? 'Request Header Fields Too Large' : 'Bad Request',
          status,
          detail: status === 431 ? 'the request line or headers are too large' : 'the request is not valid HTTP',
          code: status === 431 ? 'headers_too_large' : 'bad_request',
        });
        socket.end(
          `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      this.logger.info(
        { port: this.address()?.port, https: this.tls !== null, roles, eventStore: this.store.kind },
        'api listening',
      );
    }
  }

  address(): { port: number } | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? { port: a.port } : null;
  }

  /** Graceful: stop taking requests, finish in-flight work, then close connections. */
  async stop(): Promise<void> {
    if (this.server) {
      const server = this.server;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    await Promise.all(this.runners.map((r) => r.stop()));
    if (this.worker) await this.worker.close();
    for (const fn of this.onStop) await fn();
    await this.queue.close();
    this.redis.disconnect();
    await this.store.close();
    await this.knex.destroy();
    await this.pool.end();
  }
}
