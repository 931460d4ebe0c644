import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

// How personal data sits in a stored event: AES-256-GCM under the customer's data key, with the
// tenant and customer as additional authenticated data. The reader names the customer (the owner
// of the stream it reads), never the envelope: a ciphertext moved to another customer does not open.

export const ENVELOPE_VERSION = 'pii.v1';

export interface PiiEnvelope {
  enc: typeof ENVELOPE_VERSION;
  /** The customer whose data key encrypted this: a claim, checked against the reader's owner. */
  customerId: string;
  iv: string;
  ct: string;
  tag: string;
}

export const isEnvelope = (v: unknown): v is PiiEnvelope =>
  typeof v === 'object' && v !== null && (v as { enc?: unknown }).enc === ENVELOPE_VERSION;

const aad = (tenant: string, customerId: string) => Buffer.from(`${tenant}/${customerId}`);
const IV_BYTES = 12;
const TAG_BYTES = 16;

// IVs are cut from a pooled CSPRNG buffer: one randomFillSync per 341 IVs instead of a randomBytes
// call per sealed field (an order's append seals several). Each IV is fresh random bytes used
// once, as AES-GCM with random IVs needs; the slice is copied so no IV shares memory with the pool.
const ivPool = Buffer.alloc(IV_BYTES * 341);
let ivNext = ivPool.length;
function freshIv(): Buffer {
  if (ivNext + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivNext = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivNext, ivNext + IV_BYTES));
  ivNext += IV_BYTES;
  return iv;
}

export function seal(key: Buffer, tenant: string, customerId: string, value: unknown): PiiEnvelope {
  const iv = freshIv();
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

/**
 * Opens an envelope of `customerId`'s data (the owner the reader knows, not the envelope's claim).
 * Throws when the key, the tenant/customer or the ciphertext do not match, and on an IV or tag of
 * another length (GCM would verify a truncated tag).
 */
export function open(key: Buffer, tenant: string, customerId: string, envelope: PiiEnvelope): unknown {
  const iv = Buffer.from(envelope.iv, 'base64');
  const tag = Buffer.from(envelope.tag, 'base64');
  if (iv.length !== IV_BYTES) throw new Error(`personal data envelope: IV must be ${IV_BYTES} bytes`);
  if (tag.length !== TAG_BYTES) throw new Error(`personal data envelope: tag must be ${TAG_BYTES} bytes`);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES }).setAAD(
    aad(tenant, customerId),
  );
  decipher.setAuthTag(tag);
  const plain = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
