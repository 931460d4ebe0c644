import { loadConfig } from '../config/config.ts';
import { ensureDatabase } from '../db/ensure-database.ts';
import { createLogger } from '../observability/logger.ts';
import { Runtime, type Role } from '../runtime/runtime.ts';

const ROLES: Record<string, Role[]> = {
  all: ['api', 'projector', 'worker'],
  api: ['api'],
  projector: ['projector'],
  worker: ['worker'],
};

/** `oms start`: validate config, (optionally) bring up Postgres/Redis, migrate, run the roles, stop cleanly on SIGTERM. */
export async function start(opts: { role?: string; ensureServices?: boolean }): Promise<void> {
  if (opts.role) process.env.OMS_ROLE = opts.role;
  let config = loadConfig();
  const logger = createLogger(config.logLevel);
  let stopServices = async () => {};
  if (opts.ensureServices) {
    const { ensureServices } = await import('../infra/ensure-services.ts');
    const { fileURLToPath } = await import('node:url');
    const dataDir = fileURLToPath(new URL('../../.data', import.meta.url));
    const ensured = await ensureServices({
      databaseUrl: config.databaseUrl,
      redisUrl: config.redisUrl,
      dataDir,
      log: (msg) => logger.info(msg),
    });
    config = {
      ...config,
      databaseUrl: withDefaultDb(ensured.databaseUrl, config.databaseUrl),
      redisUrl: ensured.redisUrl,
    };
    stopServices = () => ensured.stop();
  }
  if (await ensureDatabase(config.databaseUrl)) logger.info('created the database');
  const runtime = await Runtime.create(config, { logger });
  const applied = await runtime.migrate();
  if (applied.length) logger.info({ applied }, 'migrations applied');
  await runtime.start(ROLES[config.role]!);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await runtime.stop();
      await stopServices();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** Keep the configured database name when the ensured server is a different one. */
function withDefaultDb(ensuredUrl: string, configuredUrl: string): string {
  const ensured = new URL(ensuredUrl);
  ensured.pathname = new URL(configuredUrl).pathname;
  return ensured.toString();
}
