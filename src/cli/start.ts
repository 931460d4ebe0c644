import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/config.ts';
import { ensureDatabase } from '../db/ensure-database.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { isRetryable } from '../db/unreachable.ts';
import { Runtime, type Role } from '../runtime/runtime.ts';

const ROLES: Record<string, Role[]> = {
  all: ['api', 'projector', 'worker'],
  api: ['api'],
  projector: ['projector'],
  worker: ['worker'],
};

/**
 * How long `oms start` waits for Postgres to answer before it gives up (exit 1, for a supervisor to
 * restart it). A process started while Postgres restarts, or started with it, waits instead of
 * exiting: once running, every role rides out an outage on its own.
 */
export const STARTUP_WAIT_MS = 60_000;

/** Runs `step` again while Postgres cannot be reached, for up to STARTUP_WAIT_MS. */
async function whenPostgresAnswers<T>(logger: Logger, step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + STARTUP_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      // ENOENT: the Unix socket is absent while the server is down.
      const unreachable = isRetryable(err) || (err as { code?: unknown }).code === 'ENOENT';
      if (!unreachable || Date.now() >= deadline) throw err;
      logger.warn({ err }, 'Postgres does not answer yet; retrying');
      await sleep(Math.min(2_000, 100 * 2 ** attempt));
    }
  }
}

/** `oms start`: validate config, migrate, run the roles, stop cleanly on SIGTERM. */
export async function start(opts: { role?: string }): Promise<void> {
  if (opts.role) process.env.OMS_ROLE = opts.role;
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (await whenPostgresAnswers(logger, () => ensureDatabase(config.databaseUrl))) logger.info('created the database');
  const runtime = await Runtime.create(config, { logger });
  const applied = await whenPostgresAnswers(logger, () => runtime.migrate());
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
