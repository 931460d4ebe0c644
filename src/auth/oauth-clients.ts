import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { isId, newId } from '../ids.ts';
import type { Scope } from './principal.ts';

// OAuth 2.0 clients for the client credentials grant. As with API keys, only sha256(secret) is
// stored: the secret is 256 random bits, so a fast hash is enough.

export interface OAuthClientRecord {
  id: string;
  tenant: string;
  scopes: (Scope | '*')[];
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface Row {
  id: string;
  tenant: string;
  scopes: string[];
  secret_hash: Buffer;
  label: string | null;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest();

const toRecord = (r: Row): OAuthClientRecord => ({
  id: r.id,
  tenant: r.tenant,
  scopes: r.scopes as (Scope | '*')[],
  label: r.label,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

/** What a token check needs to know about its client right now. */
export interface ActiveClient {
  tenant: string;
  scopes: ReadonlySet<Scope | '*'>;
}

export class OAuthClients {
  /** Client status is cached briefly; a revocation reaches other processes within this many ms. */
  private readonly cache = new Map<string, { client: ActiveClient | null; hash: Buffer; until: number }>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly cacheMs = 5000,
  ) {}

  async create(tenant: string, scopes: (Scope | '*')[], label: string | null = null): Promise<OAuthClientRecord & { clientSecret: string }> {
    const id = newId('cli');
    const secret = randomBytes(32).toString('base64url');
    const res = await this.pool.query<Row>(
      'insert into oauth_clients (id, tenant, scopes, secret_hash, label) values ($1, $2, $3, $4, $5) returning *',
      [id, tenant, scopes, hash(secret), label],
    );
    return { ...toRecord(res.rows[0]!), clientSecret: secret };
  }

  async list(tenant?: string): Promise<OAuthClientRecord[]> {
    const res = tenant
      ? await this.pool.query<Row>('select * from oauth_clients where tenant = $1 order by created_at desc', [tenant])
      : await this.pool.query<Row>('select * from oauth_clients order by tenant, created_at desc');
    return res.rows.map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    const res = await this.pool.query('update oauth_clients set revoked_at = now() where id = $1 and revoked_at is null', [id]);
    this.cache.delete(id);
    return res.rowCount === 1;
  }

  /** Client authentication at the token endpoint: the active client, or null. Constant-time on the secret. */
  async authenticate(id: string, secret: string): Promise<ActiveClient | null> {
    if (!isId('cli', id) || secret.length > 128) return null;
    const entry = await this.load(id);
    const ok = timingSafeEqual(hash(secret), entry.hash);
    if (!ok || !entry.client) return null;
    this.touch(id);
    return entry.client;
  }

  /** The client behind a token, if it still exists and is not revoked. */
  async active(id: string): Promise<ActiveClient | null> {
    if (!isId('cli', id)) return null;
    const entry = await this.load(id);
    if (entry.client) this.touch(id);
    return entry.client;
  }

  private async load(id: string) {
    const now = Date.now();
    const cached = this.cache.get(id);
    if (cached && cached.until >= now) return cached;
    const res = await this.pool.query<Row>('select * from oauth_clients where id = $1', [id]);
    const row = res.rows[0];
    // An unknown id still costs one hash comparison, like a known one; it is not cached, so
    // made-up ids cannot grow the cache.
    if (!row) return { client: null, hash: hash(randomBytes(8).toString('hex')), until: 0 };
    const entry = {
      client: row.revoked_at ? null : { tenant: row.tenant, scopes: new Set(row.scopes as (Scope | '*')[]) },
      hash: row.secret_hash,
      until: now + this.cacheMs,
    };
    this.cache.set(id, entry);
    return entry;
  }

  /** last_used_at at most once a minute per client, off the request path. */
  private touch(id: string): void {
    const now = Date.now();
    if ((this.lastUsedWritten.get(id) ?? 0) > now - 60_000) return;
    this.lastUsedWritten.set(id, now);
    this.pool.query('update oauth_clients set last_used_at = now() where id = $1', [id]).catch(() => {});
  }
}
