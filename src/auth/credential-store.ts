import { hash as digest, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { isId, newId } from '../ids.ts';
import type { Scope } from './principal.ts';

// API keys and OAuth clients are the same kind of thing underneath: an id, a tenant, scopes and a
// secret of 256 random bits of which only sha256 is stored (a fast hash is enough for random
// secrets; a slow KDF protects low-entropy passwords). One store serves both tables.

export interface CredentialRecord {
  id: string;
  tenant: string;
  scopes: (Scope | '*')[];
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** What a request needs to know about a credential right now. */
export interface ActiveCredential {
  tenant: string;
  scopes: ReadonlySet<Scope | '*'>;
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

interface CacheEntry {
  active: ActiveCredential | null;
  hash: Buffer;
  until: number;
}

// One-shot digest: no Hash object per request.
const hash = (secret: string) => digest('sha256', secret, 'buffer') as Buffer;

const toRecord = (r: Row): CredentialRecord => ({
  id: r.id,
  tenant: r.tenant,
  scopes: r.scopes as (Scope | '*')[],
  label: r.label,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

export class CredentialStore {
  /** Credentials are cached briefly; a revocation reaches other processes within this many ms. */
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastUsedWritten = new Map<string, number>();
  /** Ids found unknown, until when: a repeated made-up id costs no query. Bounded, oldest dropped first. */
  private readonly unknown = new Map<string, number>();
  private static readonly MAX_UNKNOWN = 10_000;

  private readonly pool: pg.Pool;
  private readonly table: 'api_keys' | 'oauth_clients';
  private readonly idPrefix: 'key' | 'cli';
  private readonly cacheMs: number;

  constructor(pool: pg.Pool, table: 'api_keys' | 'oauth_clients', idPrefix: 'key' | 'cli', cacheMs = 5000) {
    this.pool = pool;
    this.table = table;
    this.idPrefix = idPrefix;
    this.cacheMs = cacheMs;
  }

  async create(
    tenant: string,
    scopes: (Scope | '*')[],
    label: string | null,
  ): Promise<CredentialRecord & { secret: string }> {
    const id = newId(this.idPrefix);
    const secret = randomBytes(32).toString('base64url');
    const res = await this.pool.query<Row>(
      `insert into ${this.table} (id, tenant, scopes, secret_hash, label) values ($1, $2, $3, $4, $5) returning *`,
      [id, tenant, scopes, hash(secret), label],
    );
    return { ...toRecord(res.rows[0]!), secret };
  }

  async list(tenant?: string): Promise<CredentialRecord[]> {
    const res = tenant
      ? await this.pool.query<Row>(`select * from ${this.table} where tenant = $1 order by created_at desc`, [tenant])
      : await this.pool.query<Row>(`select * from ${this.table} order by tenant, created_at desc`);
    return res.rows.map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    const res = await this.pool.query(
      `update ${this.table} set revoked_at = now() where id = $1 and revoked_at is null`,
      [id],
    );
    this.cache.delete(id);
    return res.rowCount === 1;
  }

  /** The active credential when the secret matches, else null. Constant-time on the secret. */
  async check(id: string, secret: string): Promise<ActiveCredential | null> {
    if (!isId(this.idPrefix, id) || secret.length > 128) return null;
    const entry = await this.load(id);
    const ok = timingSafeEqual(hash(secret), entry.hash);
    if (!ok || !entry.active) return null;
    this.touch(id);
    return entry.active;
  }

  /** The credential if it still exists and is not revoked (a token's client, checked per request). */
  async active(id: string): Promise<ActiveCredential | null> {
    if (!isId(this.idPrefix, id)) return null;
    const entry = await this.load(id);
    if (entry.active) this.touch(id);
    return entry.active;
  }

  private async load(id: string): Promise<CacheEntry> {
    const now = Date.now();
    const cached = this.cache.get(id);
    if (cached && cached.until >= now) return cached;
    // An unknown id still costs one hash comparison, like a known one.
    const unknown = { active: null, hash: hash(randomBytes(8).toString('hex')), until: 0 };
    const unknownUntil = this.unknown.get(id);
    if (unknownUntil !== undefined && unknownUntil >= now) return unknown;
    const row = (await this.pool.query<Row>(`select * from ${this.table} where id = $1`, [id])).rows[0];
    if (!row) {
      // Remembered apart from the real credentials, in a bounded map: made-up ids cannot grow memory.
      this.unknown.delete(id);
      if (this.unknown.size >= CredentialStore.MAX_UNKNOWN) this.unknown.delete(this.unknown.keys().next().value!);
      this.unknown.set(id, now + this.cacheMs);
      return unknown;
    }
    this.unknown.delete(id);
    const entry = {
      active: row.revoked_at ? null : { tenant: row.tenant, scopes: new Set(row.scopes as (Scope | '*')[]) },
      hash: row.secret_hash,
      until: now + this.cacheMs,
    };
    this.cache.set(id, entry);
    return entry;
  }

  /** last_used_at at most once a minute per credential, off the request path. */
  private touch(id: string): void {
    const now = Date.now();
    if ((this.lastUsedWritten.get(id) ?? 0) > now - 60_000) return;
    this.lastUsedWritten.set(id, now);
    this.pool.query(`update ${this.table} set last_used_at = now() where id = $1`, [id]).catch(() => {});
  }
}
