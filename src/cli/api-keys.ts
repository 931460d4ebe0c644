import { ApiKeys } from '../auth/api-keys.ts';
import { SCOPES, TENANT_PATTERN, type Scope } from '../auth/principal.ts';
import type { CredentialRecord } from '../auth/credential-store.ts';
import { withMigratedPool } from './with-pool.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseScopes(text: string): (Scope | '*')[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new UsageError('--scopes needs at least one scope');
  for (const s of scopes) {
    if (s !== '*' && !(SCOPES as readonly string[]).includes(s)) {
      throw new UsageError(`unknown scope "${s}"; known scopes: ${SCOPES.join(', ')}, or *`);
    }
  }
  return scopes as (Scope | '*')[];
}

const withKeys = <T>(fn: (keys: ApiKeys) => Promise<T>) => withMigratedPool((pool) => fn(new ApiKeys(pool)));

export function checkTenant(tenant: string): void {
  if (!new RegExp(TENANT_PATTERN).test(tenant)) {
    throw new UsageError(
      '--tenant must be 1-63 characters: lower-case letters, digits, "_" or "-", starting with a letter or digit',
    );
  }
}

/** One line per credential (API key or OAuth client), for humans. */
export function printCredentials(list: readonly CredentialRecord[], none: string): void {
  for (const k of list) {
    process.stdout.write(
      `${k.id}  ${k.tenant.padEnd(16)} ${k.revokedAt ? 'revoked ' : 'active  '} ${k.scopes.join(',').padEnd(30)} created ${k.createdAt}${k.lastUsedAt ? ` last used ${k.lastUsedAt}` : ''}\n`,
    );
  }
  if (list.length === 0) process.stdout.write(`${none}\n`);
}

export async function createKey(opts: {
  tenant: string;
  scopes: string;
  label?: string;
  json?: boolean;
}): Promise<void> {
  checkTenant(opts.tenant);
  const scopes = parseScopes(opts.scopes);
  const created = await withKeys((keys) => keys.create(opts.tenant, scopes, opts.label ?? null));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(created)}\n`);
  } else {
    process.stdout.write(
      `API key ${created.id} for tenant ${created.tenant} (${created.scopes.join(',')})\n\n  ${created.key}\n\nStore it now: it is shown only once.\n`,
    );
  }
}

export async function listKeys(opts: { tenant?: string; json?: boolean }): Promise<void> {
  const list = await withKeys((keys) => keys.list(opts.tenant));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(list)}\n`);
    return;
  }
  printCredentials(list, 'no API keys');
}

export async function revokeKey(id: string): Promise<void> {
  const ok = await withKeys((keys) => keys.revoke(id));
  if (!ok) throw new UsageError(`no active API key ${id}`);
  process.stdout.write(`revoked ${id} (takes effect within 5 s on running servers)\n`);
}
