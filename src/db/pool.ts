import pg from 'pg';
import { pgConnection } from './ssl.ts';

// int8 (bigint) columns come back as strings by default; counts and revisions fit in a number,
// positions are parsed explicitly where they are read.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export interface PoolOptions {
  max?: number;
  applicationName?: string;
}

/**
 * A pg pool with the session settings every connection of ours needs: an idle transaction must
 * not hold back the log horizon (and with it every event-log reader) for long.
 */
export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    ...pgConnection(connectionString),
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'oms',
    options: '-c idle_in_transaction_session_timeout=10000 -c statement_timeout=30000',
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its connection (e.g. Postgres restarting) must not crash the process.
  pool.on('error', () => {});
  return pool;
}
