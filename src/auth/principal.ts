export const SCOPES = [
  'customers:read',
  'customers:write',
  'orders:read',
  'orders:write',
  'inventory:read',
  'inventory:write',
  'shipments:read',
  'shipments:write',
  'events:read',
  'webhooks:manage',
  'operations:manage',
  'analytics:read',
] as const;

export type Scope = (typeof SCOPES)[number];

export type CredentialKind = 'api_key' | 'oauth_client';

/**
 * The authenticated caller: one tenant, some scopes ('*' = all). API keys and OAuth clients both
 * end up here, so scope checks, tenancy and rate limits cannot differ between them.
 * `id` is the credential: the key id or the OAuth client id (never a token or secret).
 */
export interface Principal {
  kind: CredentialKind;
  id: string;
  tenant: string;
  scopes: ReadonlySet<Scope | '*'>;
}

export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.has('*') || p.scopes.has(scope);
}

export const TENANT_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
