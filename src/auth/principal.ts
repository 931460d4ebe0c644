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
] as const;

export type Scope = (typeof SCOPES)[number];

/** The authenticated caller: one tenant, some scopes ('*' = all). */
export interface Principal {
  kind: 'api_key';
  id: string;
  tenant: string;
  scopes: ReadonlySet<Scope | '*'>;
}

export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.has('*') || p.scopes.has(scope);
}

export const TENANT_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
