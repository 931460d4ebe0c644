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

/** `oms start`: validate config, migrate, run the roles, stop cleanly on SIGTERM. */
export async function start(opts: { role?: string }): Promise<void> {
  if (opts.role) process.env.OMS_ROLE = opts.role;
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
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
