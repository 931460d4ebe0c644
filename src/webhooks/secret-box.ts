import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { MasterKeys } from '../pii/keys.ts';

// Signing secrets at rest: AES-256-GCM under a key derived (HKDF) from the master key, the same
// master key that wraps the PII data keys and never touches the database. The endpoint (tenant
// and id) is the additional authenticated data, so a sealed secret copied onto another endpoint
// does not open. A copy of the database alone signs nothing.

const INFO = 'nh-oms webhook signing secrets v1';

/** Which master key sealed a secret: the same fingerprint `pii_keys.master_key_id` uses. */
export const masterKeyId = (master: Buffer) => createHash('sha256').update(master).digest('hex').slice(0, 16);

const boxKey = (master: Buffer) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), INFO, 32));
const aad = (tenant: string, endpointId: string) => Buffer.from(`webhook-secret/${tenant}/${endpointId}`);

export interface SealedSecret {
  secret_sealed: Buffer;
  secret_key_id: string;
}

export function sealSecret(master: Buffer, tenant: string, endpointId: string, secret: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', boxKey(master), iv).setAAD(aad(tenant, endpointId));
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return { secret_sealed: Buffer.concat([iv, cipher.getAuthTag(), ct]), secret_key_id: masterKeyId(master) };
}

export function openSecret(masters: MasterKeys, tenant: string, endpointId: string, sealed: SealedSecret): string {
  const master = [masters.current, masters.previous].find((k) => k && masterKeyId(k) === sealed.secret_key_id);
  if (!master)
    throw new Error(
      `the signing secret of webhook endpoint ${endpointId} is sealed by an unknown master key ${sealed.secret_key_id}: set OMS_MASTER_KEY_PREVIOUS`,
    );
  const box = sealed.secret_sealed;
  const decipher = createDecipheriv('aes-256-gcm', boxKey(master), box.subarray(0, 12)).setAAD(aad(tenant, endpointId));
  decipher.setAuthTag(box.subarray(12, 28));
  return Buffer.concat([decipher.update(box.subarray(28)), decipher.final()]).toString('utf8');
}
