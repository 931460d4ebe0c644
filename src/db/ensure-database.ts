import pg from 'pg';
import { pgConnection } from './ssl.ts';

/** The same server's URL, naming another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Creates the database named in the URL when it does not exist yet (connecting to `postgres`).
 * `connectTimeoutMs` bounds the connection attempt (developer tooling probing a server); unset, the
 * driver's default applies.
 */
export async function ensureDatabase(
  databaseUrl: string,
  options: { connectTimeoutMs?: number } = {},
): Promise<boolean> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!name || name === 'postgres') return false;
  const client = new pg.Client({
    ...pgConnection(withDatabase(databaseUrl, 'postgres')),
    ...(options.connectTimeoutMs !== undefined ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
  });
  client.on('error', () => {}); // a server going away after the query must not crash the caller
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return false;
    await client.query(`create database "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Created meanwhile by another process: 42P04, or 23505 when both inserts into the catalog raced.
    if (code === '42P04' || code === '23505') return false;
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}
