import pg from 'pg';
import { pgConnection } from './ssl.ts';
import { SESSION_OPTIONS } from './session-options.ts';

// int8 (bigint) columns come back as strings by default; counts and revisions fit in a number,
// positions are parsed explicitly where they are read.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export interface PoolOptions {
  max?: number;
  applicationName?: string;
}

/** A pg pool with the session settings every connection of ours needs (session-options.ts). */
export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    ...pgConnection(connectionString),
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'oms',
    options: SESSION_OPTIONS,
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its connection (e.g. Postgres restarting) must not crash the process.
  pool.on('error', () => {});
  return pool;
}
