import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'bullmq';
import { Authenticator } from '../auth/authenticator.ts';
import type { Config } from '../config/config.ts';
import { migrateLatest } from '../db/knex.ts';
import { readServerSettings, serverSettingWarnings } from '../db/server-settings.ts';
import { sealWebhookSecrets } from '../webhooks/secrets.ts';
import { createHttpApp } from '../http/internal/app.ts';
import { buildOpenApi } from '../http/internal/openapi.ts';
import { RateLimiter } from '../http/rate-limiter.ts';
import { AppendListener } from '../eventstore/postgres/append-listener.ts';
import { dispatcherProjection } from '../jobs/dispatcher.ts';
import type { JobHandler } from '../jobs/handler.ts';
import { startMaintenance } from '../jobs/maintenance.ts';
import { startWorker } from '../jobs/worker.ts';
import { DOCS_PAGE_DIR, DOCS_PAGE_PATH } from '../docs/index.ts';
import { meRoute } from '../oauth/me-route.ts';
import { oauthRoutes } from '../oauth/routes.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { serveMetrics } from '../observability/metrics-server.ts';
import { failuresRoutes } from '../operations/failures-route.ts';
import { projectionsStatusRoute } from '../operations/projections-route.ts';
import { operationsRoutes } from '../operations/routes.ts';
import { ensureCheckpoint } from '../projector/checkpoints.ts';
import type { Projection } from '../projector/projection.ts';
import { ProjectionRunner, type RetryPolicy } from '../projector/runner.ts';
import { sharedLogReader } from '../projector/shared-log.ts';
import { type LogWakeups, NotifiedWakeups, pollingWakeups } from '../projector/wakeups.ts';
import { apiRoutes, jobHandlers, projections as builtInProjections, startBackground } from './features.ts';
import { listen } from './http-server.ts';
import { closeServices, connectServices, type Services } from './services.ts';

export type Role = 'api' | 'projector' | 'worker';

/**
 * A projector woken for an append it cannot see yet (an older transaction of the cluster is still
 * open) polls this often until it does, for at most PENDING_MAX_MS (then the fallback poll).
 */
const PENDING_POLL_MS = 20;
const PENDING_MAX_MS = 60_000;

export interface RuntimeOptions {
  logger?: Logger;
  /** Extra side-effect handlers (tests use this to exercise the job runtime). */
  extraJobHandlers?: readonly JobHandler[];
  /**
   * Poll interval of a caught-up projector that no notification wakes: on EventStoreDB and the
   * memory store always, on Postgres while its LISTEN connection is down (default 20). On Postgres,
   * while notifications flow, the poll is config.projectorPollMs (OMS_PROJECTOR_POLL_MS).
   */
  projectorIdleMs?: number;
  lockRetryMs?: number;
  /** How projections retry, isolate and park a failing event (tests shorten it). */
  projectorRetry?: Partial<RetryPolicy>;
}

/**
 * One process: its services (connections, event store, queue, metrics, credentials) and whichever
 * roles it runs. The same object serves `npm start`, the CLI and the tests.
 */
export class Runtime {
  readonly projections: readonly Projection[] = builtInProjections;
  readonly handlers: readonly JobHandler[];
  readonly runners: ProjectionRunner[] = [];
  server: Server | null = null;
  private readonly onStop: (() => Promise<void>)[] = [];
  worker: Worker | null = null;
  /** The projector's LISTEN connection (Postgres store, projector role). */
  appendListener: AppendListener | null = null;
  readonly services: Services;
  private readonly options: RuntimeOptions;

  private constructor(services: Services, options: RuntimeOptions) {
    this.services = services;
    this.options = options;
    this.handlers = [...jobHandlers, ...(options.extraJobHandlers ?? [])];
  }

  static async create(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
    const logger = options.logger ?? createLogger(config.logLevel);
    return new Runtime(await connectServices(config, logger), options);
  }

  get config(): Config {
    return this.services.config;
  }

  get logger(): Logger {
    return this.services.logger;
  }

  async migrate(): Promise<string[]> {
    const applied = await migrateLatest(this.services.knex);
    await sealWebhookSecrets(this.services.knex, this.config.masterKey);
    for (const p of this.allProjections()) await ensureCheckpoint(this.services.knex, p.name);
    return applied;
  }

  /** Read-model projections plus the job dispatcher (which is checkpointed the same way). */
  allProjections(): Projection[] {
    return [...this.projections, dispatcherProjection(this.services.queue, this.handlers)];
  }

  routes() {
    const deps = {
      store: this.services.store,
      knex: this.services.knex,
      pool: this.services.pool,
      metrics: this.services.metrics,
      emailHashKey: this.config.emailHashKey,
      piiKeys: this.services.piiKeys,
      queue: this.services.queue,
      config: this.config,
    };
    const api = apiRoutes(deps);
    const ops = operationsRoutes({
      pool: this.services.pool,
      redis: this.services.redis,
      store: this.services.store,
      queue: this.services.queue,
      metrics: this.services.metrics,
      rateLimiter: () => this.rateLimiter(),
      openApi: () => openApi,
      projectionStuckMs: this.config.projectionStuckMs,
    });
    const all = [
      ...ops,
      ...oauthRoutes({ oauthClients: this.services.oauthClients, tokens: this.services.tokens }),
      meRoute(),
      ...api,
      ...failuresRoutes({
        pool: this.services.pool,
        knex: this.services.knex,
        store: this.services.store,
        queue: this.services.queue,
        projections: () => this.allProjections(),
      }),
      projectionsStatusRoute({
        knex: this.services.knex,
        pool: this.services.pool,
        store: this.services.store,
        queues: () => [this.services.queue, this.services.maintenanceQueue],
        projectionNames: () => this.allProjections().map((p) => p.name),
      }),
    ];
    const openApi = buildOpenApi(all, '1.0.0');
    return all;
  }

  httpApp() {
    return createHttpApp({
      routes: this.routes(),
      logger: this.logger,
      metrics: this.services.metrics,
      bodyLimitBytes: this.config.bodyLimitBytes,
      corsOrigins: this.config.corsOrigins,
      trustProxy: this.config.trustProxy,
      requestTimeoutMs: this.config.requestTimeoutMs,
      pages: [{ path: DOCS_PAGE_PATH, dir: DOCS_PAGE_DIR, buildScript: 'docs:build' }],
      consoleDir: fileURLToPath(new URL('../../console/dist', import.meta.url)),
      pool: this.services.pool,
      authenticator: new Authenticator(this.services.apiKeys, this.services.oauthClients, this.services.tokens),
      tenantSettings: this.services.tenantSettings,
      projectionNames: () => this.projections.map((p) => p.name),
      rateLimiter: this.rateLimiter(),
      rateLimits: { perCredential: this.config.rateLimitPerSecond, perAddress: this.config.rateLimitPerAddress },
      idempotencyRecordsInAppend: this.services.store.idempotencyRecords,
    });
  }

  private limiter: RateLimiter | null | undefined;
  rateLimiter(): RateLimiter | null {
    if (this.limiter === undefined) {
      this.limiter =
        this.config.rateLimitPerSecond > 0 || this.config.rateLimitPerAddress > 0
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
    await this.warnAboutServerSettings();
    if (this.config.metricsPort !== null) {
      const metrics = await serveMetrics(this.services.metrics.registry, this.config.host, this.config.metricsPort);
      this.onStop.push(
        () =>
          new Promise<void>((resolve) => {
            metrics.close(() => resolve());
            metrics.closeAllConnections();
          }),
      );
      this.logger.info({ port: this.config.metricsPort, roles }, 'metrics served on their own port');
    }
    if (roles.includes('projector')) {
      const idleMs = this.options.projectorIdleMs ?? 20;
      const wakeups = this.logWakeups(idleMs);
      const readLog = sharedLogReader(this.services.store, {
        emptyTtlMs: Math.max(1, Math.min(10, idleMs / 2)),
        epoch: () => wakeups.epoch,
      });
      for (const projection of this.allProjections()) {
        const runner = new ProjectionRunner({
          databaseUrl: this.config.databaseUrl,
          knex: this.services.knex,
          store: this.services.store,
          projection,
          logger: this.logger,
          metrics: this.services.metrics,
          wakeups,
          lockRetryMs: this.options.lockRetryMs ?? 1000,
          readLog,
          ...(this.options.projectorRetry ? { retry: this.options.projectorRetry } : {}),
        });
        runner.start();
        this.runners.push(runner);
      }
    }
    if (roles.includes('worker')) {
      const connection = this.services.redis.duplicate();
      connection.on('error', (err) => this.logger.warn({ err: err.message }, 'worker redis connection error'));
      this.onStop.push(async () => connection.disconnect());
      this.worker = startWorker({
        connection,
        prefix: this.config.redisPrefix,
        handlers: this.handlers,
        store: this.services.store,
        knex: this.services.knex,
        queue: this.services.queue,
        config: this.config,
        logger: this.logger,
      });
      const background = startBackground({
        knex: this.services.knex,
        pool: this.services.pool,
        store: this.services.store,
        config: this.config,
        logger: this.logger,
        metrics: this.services.metrics,
      });
      this.onStop.unshift(async () => {
        await Promise.all(background.map((b) => b.stop()));
      });
      const maintenance = startMaintenance({
        connection,
        prefix: this.config.redisPrefix,
        knex: this.services.knex,
        logger: this.logger,
      });
      this.onStop.unshift(() => maintenance.close());
    }
    if (roles.includes('api')) {
      if (this.services.tokens.ephemeral) {
        this.logger.warn(
          'no OMS_JWT_SIGNING_KEY configured: OAuth tokens are signed with a key generated for this process only (fine locally; with several API processes or across restarts, tokens will not verify)',
        );
      }
      this.server = await listen(this.httpApp(), this.config, this.services.tls);
      this.logger.info(
        { port: this.address()?.port, https: this.services.tls !== null, roles, eventStore: this.services.store.kind },
        'api listening',
      );
    }
  }

  /** Logs what the Postgres server is set to that the service cannot fix itself (never fatal). */
  private async warnAboutServerSettings(): Promise<void> {
    try {
      for (const warning of serverSettingWarnings(await readServerSettings(this.services.pool)))
        this.logger.warn(warning);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not read the Postgres server settings');
    }
  }

  /** Postgres: woken by NOTIFY on its own connection, polling only as a safety net. Others poll. */
  private logWakeups(idleMs: number): LogWakeups {
    if (this.services.store.kind !== 'postgres') return pollingWakeups(idleMs);
    const wakeups = new NotifiedWakeups(() => listener.listening, {
      fallbackMs: this.config.projectorPollMs,
      disconnectedMs: idleMs,
      pendingMs: PENDING_POLL_MS,
      pendingMaxMs: PENDING_MAX_MS,
    });
    const listener = new AppendListener(this.config.databaseUrl, (commit) => wakeups.wake(commit), {
      onError: (err) =>
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'append listener connection lost; projectors poll until it is back',
        ),
    });
    listener.start();
    this.appendListener = listener;
    return wakeups;
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
    await this.appendListener?.stop();
    if (this.worker) await this.worker.close();
    for (const fn of this.onStop) await fn();
    await closeServices(this.services);
  }
}
