import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig, loadConfigWithoutKeys } from '../config/config.ts';
import { ensureDatabase } from '../db/ensure-database.ts';
import { createKnex, migrateLatest } from '../db/knex.ts';
import { sealWebhookSecrets } from '../webhooks/secrets.ts';
import { createKey, listKeys, revokeKey, UsageError } from './api-keys.ts';
import { idempotencyPurge } from './idempotency.ts';
import { jobsFailed, jobsRetry, jobsStatus } from './jobs.ts';
import { keysRewrap } from './keys.ts';
import { createClient, listClients, revokeClient } from './oauth-clients.ts';
import { listTenants, setRateLimit } from './tenants.ts';
import {
  projectionsParked,
  projectionsRebuild,
  projectionsRetryParked,
  projectionsStatus,
  projectionsVerify,
} from './projections.ts';
import { seedDemo } from './seed-demo.ts';
import { start } from './start.ts';

const program = new Command('oms')
  .description('N&H Logistics OMS: API server, projector, worker and operator commands')
  .showHelpAfterError()
  .exitOverride();

program
  .command('start')
  .description('run the service (roles from --role or OMS_ROLE: all | api | projector | worker)')
  .option('--role <role>', 'all, api, projector or worker')
  .action((o: { role?: string }) => start(o));

program
  .command('migrate')
  .description('create the database if needed and apply pending migrations')
  .action(async () => {
    const config = loadConfigWithoutKeys();
    await ensureDatabase(config.databaseUrl);
    const knex = createKnex(config.databaseUrl, { max: 1 });
    try {
      const applied = await migrateLatest(knex);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
      // Sealing webhook signing secrets needs the master key; migrating does not. Without the key,
      // `oms start` seals them (it refuses to run without keys).
      let masterKey: ReturnType<typeof loadConfig>['masterKey'] | null = null;
      try {
        masterKey = loadConfig().masterKey;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write('webhook signing secrets not sealed now: no master key (oms start seals them)\n');
      }
      const sealed = masterKey ? await sealWebhookSecrets(knex, masterKey) : 0;
      if (sealed) process.stdout.write(`sealed ${sealed} webhook signing secret(s)\n`);
    } finally {
      await knex.destroy();
    }
  });

const keys = program.command('api-keys').description('manage API keys (stored hashed; the key is shown once)');
keys
  .command('create')
  .requiredOption('--tenant <tenant>', 'the tenant the key acts for')
  .requiredOption('--scopes <list>', 'comma-separated scopes, or *')
  .option('--label <text>', 'a note for operators')
  .option('--json', 'print one JSON object')
  .action(createKey);
keys.command('list').option('--tenant <tenant>').option('--json').action(listKeys);
keys.command('revoke <id>').action(revokeKey);

const clients = program
  .command('oauth-clients')
  .description('manage OAuth 2.0 clients (client credentials; secret stored hashed, shown once)');
clients
  .command('create')
  .requiredOption('--tenant <tenant>', 'the tenant the client acts for')
  .requiredOption('--scopes <list>', 'comma-separated scopes, or *')
  .option('--label <text>', 'a note for operators')
  .option('--json', 'print one JSON object (id, clientSecret, tenant, scopes)')
  .action(createClient);
clients.command('list').option('--tenant <tenant>').option('--json').action(listClients);
clients.command('revoke <id>').description('revoke a client; its tokens are refused too').action(revokeClient);

const tenants = program.command('tenants').description('per-tenant settings');
tenants
  .command('set-rate-limit <tenant> <perSecond>')
  .description('requests per second per credential of this tenant, or "default" for OMS_RATE_LIMIT_PER_SECOND')
  .option('--json')
  .action(setRateLimit);
tenants.command('list').option('--json').description('tenants with their own settings').action(listTenants);

program
  .command('idempotency')
  .description('stored Idempotency-Key responses')
  .command('purge')
  .description('delete the records past their 24 h retention (the worker also does this every 10 minutes)')
  .option('--json')
  .action(idempotencyPurge);

program
  .command('keys')
  .description("customers' personal-data keys")
  .command('rewrap')
  .description(
    're-wrap every data key under OMS_MASTER_KEY (after a rotation, with the old key as OMS_MASTER_KEY_PREVIOUS)',
  )
  .option('--json')
  .action(keysRewrap);

const projections = program.command('projections').description('read models');
projections
  .command('status')
  .option('--json')
  .description('position and lag of each projection')
  .action(projectionsStatus);
projections
  .command('rebuild [name]')
  .description('replay into shadow tables and swap them in atomically')
  .action(projectionsRebuild);
projections
  .command('verify [name]')
  .option('--json')
  .description('replay in shadow and report differences from the live tables')
  .action(projectionsVerify);
projections
  .command('parked')
  .option('--json')
  .description('events a projection could not apply and moved past (parked), in log order')
  .action(projectionsParked);
projections
  .command('retry-parked [name]')
  .option('--json')
  .description('apply parked events again (after a fix); those that apply are unparked, the others stay')
  .action(projectionsRetryParked);

program
  .command('seed-demo')
  .description('create a demo tenant with an API key, customers, stock and orders')
  .option('--tenant <tenant>', 'tenant to seed', 'demo')
  .option('--json', 'print one JSON object')
  .action(seedDemo);

const jobs = program.command('jobs').description('side-effect jobs (BullMQ)');
jobs.command('status').option('--json').description('jobs per state').action(jobsStatus);
jobs
  .command('failed')
  .option('--json')
  .option('--limit <n>')
  .description('jobs that exhausted their attempts')
  .action(jobsFailed);
jobs.command('retry [id]').option('--all', 'every failed job').description('retry failed jobs').action(jobsRetry);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof UsageError || err instanceof ConfigError) {
    process.stderr.write(`oms: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`oms: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
