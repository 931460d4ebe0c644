import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { MasterKeys } from '../pii/keys.ts';
import { masterKeyId, openSecret, sealSecret } from './secret-box.ts';

/** `whsec_` + base64 of 32 random bytes: the Standard Webhooks secret format. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export interface SecretColumns {
  tenant: string;
  id: string;
  /** Plaintext: only in rows written before secrets were sealed, until `sealWebhookSecrets` runs. */
  secret: string | null;
  secret_sealed: Buffer | null;
  secret_key_id: string | null;
}

/** The endpoint's signing secret, opened. */
export function endpointSecret(masters: MasterKeys, row: SecretColumns): string {
  if (row.secret_sealed && row.secret_key_id)
    return openSecret(masters, row.tenant, row.id, {
      secret_sealed: row.secret_sealed,
      secret_key_id: row.secret_key_id,
    });
  if (row.secret !== null) return row.secret;
  throw new Error(`webhook endpoint ${row.id} has no signing secret`);
}

/**
 * Seals every secret still in plaintext and re-seals those sealed under a previous master key
 * (after a rotation, with OMS_MASTER_KEY_PREVIOUS set). Idempotent; returns how many rows changed.
 */
export async function sealWebhookSecrets(knex: Knex, masters: MasterKeys): Promise<number> {
  const current = masterKeyId(masters.current);
  const rows = (await knex('webhook_endpoints')
    .select('tenant', 'id', 'secret', 'secret_sealed', 'secret_key_id')
    .whereNotNull('secret')
    .orWhereNot('secret_key_id', current)) as SecretColumns[];
  for (const row of rows) {
    const sealed = sealSecret(masters.current, row.tenant, row.id, endpointSecret(masters, row));
    await knex('webhook_endpoints')
      .where({ id: row.id })
      .update({ ...sealed, secret: null });
  }
  return rows.length;
}
