import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// How personal data sits in a stored event: AES-256-GCM under the customer's data key. The
// envelope names the customer whose key opens it, and that customer (with the tenant) is also
// the additional authenticated data, so a ciphertext moved to another customer does not open.

export const ENVELOPE_VERSION = 'pii.v1';

export interface PiiEnvelope {
  enc: typeof ENVELOPE_VERSION;
  /** The customer whose data key encrypted this. */
  customerId: string;
  iv: string;
  ct: string;
  tag: string;
}

export const isEnvelope = (v: unknown): v is PiiEnvelope =>
  typeof v === 'object' && v !== null && (v as { enc?: unknown }).enc === ENVELOPE_VERSION;

const aad = (tenant: string, customerId: string) => Buffer.from(`${tenant}/${customerId}`);

export function seal(key: Buffer, tenant: string, customerId: string, value: unknown): PiiEnvelope {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(tenant, customerId));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    enc: ENVELOPE_VERSION,
    customerId,
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** Throws when the key, the tenant/customer or the ciphertext do not match. */
export function open(key: Buffer, tenant: string, envelope: PiiEnvelope): unknown {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64')).setAAD(
    aad(tenant, envelope.customerId),
  );
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
