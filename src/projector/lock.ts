import pg from 'pg';
import { pgConnection } from '../db/ssl.ts';

/**
 * "One active instance per projection": a session-level advisory lock held on a dedicated
 * connection. When the holder dies its connection closes, Postgres frees the lock and a waiting
 * instance takes over. Losing the connection means losing the lock: `held` turns false.
 */
export class AdvisoryLock {
  private client: pg.Client | null = null;
  private lost = false;

  private readonly databaseUrl: string;
  private readonly key: string;

  constructor(databaseUrl: string, key: string) {
    this.databaseUrl = databaseUrl;
    this.key = key;
  }

  get held(): boolean {
    return this.client !== null && !this.lost;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    await this.release();
    const client = new pg.Client({ ...pgConnection(this.databaseUrl), application_name: `oms-lock:${this.key}` });
    const markLost = () => {
      this.lost = true;
    };
    client.on('error', markLost);
    client.on('end', markLost);
    await client.connect();
    const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [
      this.key,
    ]);
    if (!res.rows[0]?.ok) {
      await client.end().catch(() => {});
      return false;
    }
    this.client = client;
    this.lost = false;
    return true;
  }

  async release(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
  }
}
