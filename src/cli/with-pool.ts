import type pg from 'pg';
import { loadConfigWithoutKeys } from '../config/config.ts';
import { ensureDatabase } from '../db/ensure-database.ts';
import { createKnex, migrateLatest } from '../db/knex.ts';
import { createPool } from '../db/pool.ts';

/** An operator command's connection: the database created and migrated first, closed after. */
export async function withMigratedPool<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const config = loadConfigWithoutKeys();
  await ensureDatabase(config.databaseUrl);
  const knex = createKnex(config.databaseUrl, { max: 1 });
  try {
    await migrateLatest(knex);
  } finally {
    await knex.destroy();
  }
  const pool = createPool(config.databaseUrl, { max: 2, applicationName: 'oms-cli' });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}
