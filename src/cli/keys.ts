import { loadConfig } from '../config/config.ts';
import { PiiKeys } from '../pii/keys.ts';
import { UsageError } from './api-keys.ts';
import { withMigratedPool } from './with-pool.ts';

/**
 * `oms keys rewrap`: after a master-key rotation (OMS_MASTER_KEY new, OMS_MASTER_KEY_PREVIOUS old),
 * re-wraps every data key still under the old master key. Only the wrapped data keys change; the
 * event log is not touched. Safe to run again, and while the service runs.
 */
export async function keysRewrap(opts: { json?: boolean }): Promise<void> {
  // Re-wrapping under the development fallback (OMS_DEV_KEYS) would make no sense: the key must be set.
  if (!process.env.OMS_MASTER_KEY)
    throw new UsageError(
      'OMS_MASTER_KEY is not set: set the new master key (and the old one as OMS_MASTER_KEY_PREVIOUS)',
    );
  const config = loadConfig();
  const rewrapped = await withMigratedPool((pool) => new PiiKeys(pool, config.masterKey).rewrap());
  process.stdout.write(
    opts.json
      ? `${JSON.stringify({ rewrapped })}\n`
      : `re-wrapped ${rewrapped} data keys under the current master key; OMS_MASTER_KEY_PREVIOUS can now be removed\n`,
  );
}
