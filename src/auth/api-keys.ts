import type pg from 'pg';
import { CredentialStore, type CredentialRecord } from './credential-store.ts';
import type { Principal, Scope } from './principal.ts';

// An API key is `oms.<key id>.<secret>`; the store keeps sha256(secret) only.

export type ApiKeyRecord = CredentialRecord;

export class ApiKeys {
  private readonly store: CredentialStore;

  constructor(pool: pg.Pool, cacheMs = 5000) {
    this.store = new CredentialStore(pool, 'api_keys', 'key', cacheMs);
  }

  async create(
    tenant: string,
    scopes: (Scope | '*')[],
    label: string | null = null,
  ): Promise<ApiKeyRecord & { key: string }> {
    const { secret, ...record } = await this.store.create(tenant, scopes, label);
    return { ...record, key: `oms.${record.id}.${secret}` };
  }

  list(tenant?: string): Promise<ApiKeyRecord[]> {
    return this.store.list(tenant);
  }

  revoke(id: string): Promise<boolean> {
    return this.store.revoke(id);
  }

  /** The principal of a presented key, or null. Constant-time on the secret. */
  async verify(presented: string): Promise<Principal | null> {
    const parts = presented.split('.');
    if (parts.length !== 3 || parts[0] !== 'oms') return null;
    const [, id, secret] = parts as [string, string, string];
    const active = await this.store.check(id, secret);
    return active ? { kind: 'api_key', id, tenant: active.tenant, scopes: active.scopes } : null;
  }
}
