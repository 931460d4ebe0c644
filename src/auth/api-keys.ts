import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { newId } from '../ids.ts';
import type { Principal, Scope } from './principal.ts';

// An API key is `oms.<key id>.<secret>`. Only sha256(secret) is stored: the secret has 256 bits of
// entropy, so a fast hash is enough (a slow KDF protects low-entropy passwords, not random keys).

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  scopes: string[];
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest();

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

const toRecord = (r: Row): ApiKeyRecord => ({
  id: r.id,
  tenant: r.tenant,
  scopes: r.scopes,
  label: r.label,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

export class ApiKeys {
  /** Verified keys are cached briefly; a revocation takes effect within this many ms. */
  private readonly cache = new Map<string, { principal: Principal | null; hash: Buffer; until: number }>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly cacheMs = 5000,
  ) {}

  async create(tenant: string, scopes: (Scope | '*')[], label: string | null = null): Promise<ApiKeyRecord & { key: string }> {
    const id = newId('key');
    const secret = randomBytes(32).toString('base64url');
    const res = await this.pool.query<Row>(
      'insert into api_keys (id, tenant, scopes, secret_hash, label) values ($1, $2, $3, $4, $5) returning *',
      [id, tenant, scopes, hash(secret), label],
    );
    return { ...toRecord(res.rows[0]!), key: `oms.${id}.${secret}` };
  }

  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    const res = tenant
      ? await this.pool.query<Row>('select * from api_keys where tenant = $1 order by created_at desc', [tenant])
      : await this.pool.query<Row>('select * from api_keys order by tenant, created_at desc');
    return res.rows.map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    const res = await this.pool.query('update api_keys set revoked_at = now() where id = $1 and revoked_at is null', [id]);
    this.cache.delete(id);
    return res.rowCount === 1;
  }

  /** The principal of a presented key, or null. Constant-time on the secret. */
  async verify(presented: string): Promise<Principal | null> {
    const parts = presented.split('.');
    if (parts.length !== 3 || parts[0] !== 'oms' || !/^key_[0-9a-z]{26}$/.test(parts[1]!) || parts[2]!.length > 128) return null;
    const [, id, secret] = parts as [string, string, string];
    const now = Date.now();
    let entry = this.cache.get(id);
    if (!entry || entry.until < now) {
      const res = await this.pool.query<Row>('select * from api_keys where id = $1', [id]);
      const row = res.rows[0];
      entry = {
        principal:
          row && !row.revoked_at
            ? { kind: 'api_key', id: row.id, tenant: row.tenant, scopes: new Set(row.scopes as (Scope | '*')[]) }
            : null,
        hash: row?.secret_hash ?? hash(''),
        until: now + this.cacheMs,
      };
      this.cache.set(id, entry);
    }
    const ok = timingSafeEqual(hash(secret), entry.hash);
    if (!ok || !entry.principal) return null;
    this.touch(id, now);
    return entry.principal;
  }

  /** last_used_at at most once a minute per key, off the request path. */
  private touch(id: string, now: number): void {
    if ((this.lastUsedWritten.get(id) ?? 0) > now - 60_000) return;
    this.lastUsedWritten.set(id, now);
    this.pool.query('update api_keys set last_used_at = now() where id = $1', [id]).catch(() => {});
  }
}
