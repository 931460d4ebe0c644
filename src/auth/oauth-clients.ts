import type pg from 'pg';
import { CredentialStore, type ActiveCredential, type CredentialRecord } from './credential-store.ts';
import type { Scope } from './principal.ts';

// OAuth 2.0 clients for the client credentials grant; the store keeps sha256(secret) only.

export type OAuthClientRecord = CredentialRecord;
export type ActiveClient = ActiveCredential;

export class OAuthClients {
  private readonly store: CredentialStore;

  constructor(pool: pg.Pool, cacheMs = 5000) {
    this.store = new CredentialStore(pool, 'oauth_clients', 'cli', cacheMs);
  }

  async create(
    tenant: string,
    scopes: (Scope | '*')[],
    label: string | null = null,
  ): Promise<OAuthClientRecord & { clientSecret: string }> {
    const { secret, ...record } = await this.store.create(tenant, scopes, label);
    return { ...record, clientSecret: secret };
  }

  list(tenant?: string): Promise<OAuthClientRecord[]> {
    return this.store.list(tenant);
  }

  revoke(id: string): Promise<boolean> {
    return this.store.revoke(id);
  }

  /** Client authentication at the token endpoint: the active client, or null. Constant-time on the secret. */
  authenticate(id: string, secret: string): Promise<ActiveClient | null> {
    return this.store.check(id, secret);
  }

  /** The client behind a token, if it still exists and is not revoked. */
  active(id: string): Promise<ActiveClient | null> {
    return this.store.active(id);
  }
}
