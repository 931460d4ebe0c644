import { OAuthClients } from '../auth/oauth-clients.ts';
import { checkTenant, parseScopes, printCredentials, UsageError } from './api-keys.ts';
import { withMigratedPool } from './with-pool.ts';

const withClients = <T>(fn: (c: OAuthClients) => Promise<T>) => withMigratedPool((pool) => fn(new OAuthClients(pool)));

export async function createClient(opts: {
  tenant: string;
  scopes: string;
  label?: string;
  json?: boolean;
}): Promise<void> {
  checkTenant(opts.tenant);
  const scopes = parseScopes(opts.scopes);
  const created = await withClients((c) => c.create(opts.tenant, scopes, opts.label ?? null));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(created)}\n`);
  } else {
    process.stdout.write(
      `OAuth client for tenant ${created.tenant} (${created.scopes.join(',')})\n\n  client_id:     ${created.id}\n  client_secret: ${created.clientSecret}\n\nStore the secret now: it is shown only once. Tokens: POST /oauth/token with grant_type=client_credentials.\n`,
    );
  }
}

export async function listClients(opts: { tenant?: string; json?: boolean }): Promise<void> {
  const list = await withClients((c) => c.list(opts.tenant));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(list)}\n`);
    return;
  }
  printCredentials(list, 'no OAuth clients');
}

export async function revokeClient(id: string): Promise<void> {
  const ok = await withClients((c) => c.revoke(id));
  if (!ok) throw new UsageError(`no active OAuth client ${id}`);
  process.stdout.write(`revoked ${id}; its tokens are refused within 5 s on running servers\n`);
}
