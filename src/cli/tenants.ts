import { TENANT_PATTERN } from '../auth/principal.ts';
import { TenantSettings } from '../tenants/tenant-settings.ts';
import { UsageError } from './api-keys.ts';
import { withMigratedPool } from './with-pool.ts';

const withSettings = <T>(fn: (s: TenantSettings) => Promise<T>) =>
  withMigratedPool((pool) => fn(new TenantSettings(pool)));

/** `oms tenants set-rate-limit <tenant> <per-second|default>` */
export async function setRateLimit(tenant: string, value: string, opts: { json?: boolean }): Promise<void> {
  if (!new RegExp(TENANT_PATTERN).test(tenant)) throw new UsageError(`"${tenant}" is not a tenant name`);
  let perSecond: number | null;
  if (value === 'default') perSecond = null;
  else if (/^[1-9][0-9]{0,5}$/.test(value)) perSecond = Number(value);
  else throw new UsageError('the limit must be a whole number of requests per second from 1 to 999999, or "default"');
  await withSettings((s) => s.setRateLimit(tenant, perSecond));
  if (opts.json) process.stdout.write(`${JSON.stringify({ tenant, rateLimitPerSecond: perSecond })}\n`);
  else
    process.stdout.write(
      `${tenant}: ${perSecond === null ? 'default rate limit (OMS_RATE_LIMIT_PER_SECOND)' : `${perSecond} requests/s per credential`} (takes effect within 5 s)\n`,
    );
}

export async function listTenants(opts: { json?: boolean }): Promise<void> {
  const list = await withSettings((s) => s.list());
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(list)}\n`);
    return;
  }
  for (const t of list)
    process.stdout.write(`${t.tenant.padEnd(20)} rate limit ${t.rateLimitPerSecond ?? 'default'}\n`);
  if (list.length === 0) process.stdout.write('no tenant settings (every tenant uses the defaults)\n');
}
