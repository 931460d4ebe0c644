import { purgeExpiredIdempotencyRecords } from '../commands/idempotency-records.ts';
import { loadConfig } from '../config/config.ts';
import { ensureDatabase } from '../db/ensure-database.ts';
import { createKnex, migrateLatest } from '../db/knex.ts';

/** `oms idempotency purge`: what the worker's scheduled job does, now (e.g. with no worker running). */
export async function idempotencyPurge(opts: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const knex = createKnex(config.databaseUrl, { max: 1 });
  try {
    await migrateLatest(knex);
    const deleted = await purgeExpiredIdempotencyRecords(knex);
    process.stdout.write(
      opts.json ? `${JSON.stringify({ deleted })}\n` : `deleted ${deleted} idempotency records past retention\n`,
    );
  } finally {
    await knex.destroy();
  }
}
