import type pg from 'pg';

// Per-tenant operator settings (today: the rate limit). Read on the request path, so cached briefly.

export interface TenantSettingsRecord {
  tenant: string;
  rateLimitPerSecond: number | null;
  updatedAt: string;
}

export class TenantSettings {
  private readonly cache = new Map<string, { limit: number | null; until: number }>();

  private readonly pool: pg.Pool;
  private readonly cacheMs: number;

  constructor(pool: pg.Pool, cacheMs = 5000) {
    this.pool = pool;
    this.cacheMs = cacheMs;
  }

  /** The tenant's own requests-per-second limit, or null for the default. */
  async rateLimit(tenant: string): Promise<number | null> {
    const now = Date.now();
    const hit = this.cache.get(tenant);
    if (hit && hit.until >= now) return hit.limit;
    const res = await this.pool.query<{ rate_limit_per_second: number | null }>(
      'select rate_limit_per_second from tenant_settings where tenant = $1',
      [tenant],
    );
    const limit = res.rows[0]?.rate_limit_per_second ?? null;
    this.cache.set(tenant, { limit, until: now + this.cacheMs });
    return limit;
  }

  /** null clears the tenant's limit (back to OMS_RATE_LIMIT_PER_SECOND). */
  async setRateLimit(tenant: string, perSecond: number | null): Promise<void> {
    await this.pool.query(
      `insert into tenant_settings (tenant, rate_limit_per_second) values ($1, $2)
       on conflict (tenant) do update set rate_limit_per_second = excluded.rate_limit_per_second, updated_at = now()`,
      [tenant, perSecond],
    );
    this.cache.delete(tenant);
  }

  async list(): Promise<TenantSettingsRecord[]> {
    const res = await this.pool.query<{ tenant: string; rate_limit_per_second: number | null; updated_at: Date }>(
      'select * from tenant_settings order by tenant',
    );
    return res.rows.map((r) => ({
      tenant: r.tenant,
      rateLimitPerSecond: r.rate_limit_per_second,
      updatedAt: r.updated_at.toISOString(),
    }));
  }
}
