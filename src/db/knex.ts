import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { pgConnection } from './ssl.ts';
import { SESSION_OPTIONS } from './session-options.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export function createKnex(connectionString: string, pool: { min?: number; max?: number } = {}): Knex {
  return knexFactory({
    client: 'pg',
    // Error messages carry the SQL with placeholders, never the bindings (customer rows, secrets).
    compileSqlOnError: false,
    connection: {
      ...pgConnection(connectionString),
      options: SESSION_OPTIONS,
      application_name: 'oms-knex',
    } as Knex.PgConnectionConfig,
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'], tableName: 'knex_migrations' },
  });
}

/** Runs every pending migration; safe to call from several processes at once (knex locks). */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest()) as [number, string[]];
  return applied;
}
