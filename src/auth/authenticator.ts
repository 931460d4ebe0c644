import type { ApiKeys } from './api-keys.ts';
import type { OAuthClients } from './oauth-clients.ts';
import type { CredentialKind, Principal, Scope } from './principal.ts';
import { type TokenClaims, TokenRejected, type TokenService } from './tokens.ts';

// The one authorization path: a bearer credential is either an API key (`oms.<id>.<secret>`)
// or an OAuth access token (a JWT); both become the same Principal.

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      /** What the credential looked like (null: neither shape). */
      kind: CredentialKind | null;
      /** For the audit log: a short reason, never the credential. */
      reason: string;
      /** The credential id the caller claimed, when it has a well-formed id (not verified). */
      claimedId: string | null;
      expired: boolean;
    };

const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

export class Authenticator {
  private readonly apiKeys: ApiKeys;
  private readonly clients: OAuthClients;
  private readonly tokens: TokenService;

  constructor(apiKeys: ApiKeys, clients: OAuthClients, tokens: TokenService) {
    this.apiKeys = apiKeys;
    this.clients = clients;
    this.tokens = tokens;
  }

  async authenticate(credential: string): Promise<AuthOutcome> {
    if (credential.startsWith('oms.')) {
      const principal = await this.apiKeys.verify(credential);
      if (principal) return { ok: true, principal };
      const id = credential.split('.')[1] ?? '';
      return fail('api_key', 'api_key_unknown_malformed_or_revoked', /^key_[0-9a-z]{26}$/.test(id) ? id : null);
    }
    if (credential.length <= 8192 && JWT_SHAPE.test(credential)) return this.fromToken(credential);
    return fail(null, 'unrecognised_credential', null);
  }

  private async fromToken(token: string): Promise<AuthOutcome> {
    let claims: TokenClaims;
    try {
      claims = await this.tokens.verify(token);
    } catch (err) {
      if (err instanceof TokenRejected)
        return fail('oauth_client', `token_${err.reason}`, null, err.reason === 'expired');
      throw err;
    }
    // A revoked client's tokens stop working at once (within the client cache window), not at expiry.
    const client = await this.clients.active(claims.clientId);
    if (!client) return fail('oauth_client', 'client_revoked_or_unknown', claims.clientId);
    if (client.tenant !== claims.tenant) return fail('oauth_client', 'tenant_mismatch', claims.clientId);
    // Scopes removed from the client since issue no longer apply.
    const scopes = claims.scopes.filter((s) => client.scopes.has('*') || client.scopes.has(s));
    return {
      ok: true,
      principal: {
        kind: 'oauth_client',
        id: claims.clientId,
        tenant: claims.tenant,
        scopes: new Set<Scope | '*'>(scopes),
      },
    };
  }
}

const fail = (kind: CredentialKind | null, reason: string, claimedId: string | null, expired = false): AuthOutcome => ({
  ok: false,
  kind,
  reason,
  claimedId,
  expired,
});
