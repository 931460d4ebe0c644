import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Knex } from 'knex';
import { createKnex, migrateLatest } from '../../src/db/knex.ts';
import { withDatabase } from '../../src/db/ensure-database.ts';
import { createPool } from '../../src/db/pool.ts';

export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export { withDatabase };

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  knex: Knex;
  drop(): Promise<void>;
}

/** A fresh, migrated database with a unique name; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `oms_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(BASE_DATABASE_URL, name);
  const knex = createKnex(url, { max: 4 });
  await migrateLatest(knex);
  const pool = createPool(url, { max: 20, applicationName: 'oms-test' });
  return {
    name,
    url,
    pool,
    knex,
    async drop() {
      await pool.end();
      await knex.destroy();
      const c = new pg.Client({ connectionString: BASE_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
