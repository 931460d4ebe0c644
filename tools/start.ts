// `npm start` = `tsx tools/start.ts [oms start options]`: the development launcher. It brings up
// Postgres and Redis when the configured ones (DATABASE_URL, REDIS_URL, or their defaults) do not
// answer (see tools/services/index.ts; private instances keep their data in .data/), then runs
// `oms start` as a child pointed at them. SIGINT/SIGTERM go to the child, which drains and exits;
// then the services this launcher started are stopped, and it exits with the child's code.
// Deployments run `oms start` itself (the Dockerfile's CMD), which never starts services.
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { runWithServices } from './launch.ts';

// Local use only: unset keys fall back to the development keys (the service logs a warning). A
// deployment runs `oms start` (the Dockerfile's CMD) and must set OMS_MASTER_KEY and OMS_EMAIL_HASH_KEY.
process.env.OMS_DEV_KEYS ??= '1';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(); // a bad value stops here, before anything is started
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`oms: ${err.message}\n`);
  process.exit(2);
}

await runWithServices({
  databaseUrl: config.databaseUrl,
  redisUrl: config.redisUrl,
  command: process.execPath,
  args: [fileURLToPath(new URL('../bin/oms.js', import.meta.url)), 'start', ...process.argv.slice(2)],
  databaseUrlFor: (ensured) => withDefaultDb(ensured, config.databaseUrl),
  server: true,
});

/** Keep the configured database name when the ensured server is a different one (`oms start` creates it). */
function withDefaultDb(ensuredUrl: string, configuredUrl: string): string {
  const ensured = new URL(ensuredUrl);
  ensured.pathname = new URL(configuredUrl).pathname;
  return ensured.toString();
}
