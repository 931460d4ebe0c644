import { createHmac, timingSafeEqual } from 'node:crypto';

// Two signatures on every delivery, both over the delivery id, the timestamp and the raw body:
//  - Oms-Signature: `t=<unix seconds>,v2=<hex HMAC-SHA256(secret, "<t>.<delivery id>.<raw body>")>`
//    followed by the deprecated `,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, which does not
//    cover the delivery id (kept for receivers written against it; verify v2). The HMAC key is the
//    whole secret string, `whsec_` included.
//  - Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
//    `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<t>.<raw body>")>`, where the key is
//    the base64 after `whsec_`, decoded; any Standard Webhooks library verifies it.

const hmac = (key: string | Buffer, content: string) => createHmac('sha256', key).update(content);

/** The key bytes of a `whsec_<base64>` secret (Node's decoder also takes the base64url of older secrets). */
const standardKey = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

export function omsSignature(secret: string, deliveryId: string, rawBody: string, unixSeconds: number): string {
  const v2 = hmac(secret, `${unixSeconds}.${deliveryId}.${rawBody}`).digest('hex');
  const v1 = hmac(secret, `${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v2=${v2},v1=${v1}`;
}

export function standardSignature(secret: string, deliveryId: string, rawBody: string, unixSeconds: number): string {
  return `v1,${hmac(standardKey(secret), `${deliveryId}.${unixSeconds}.${rawBody}`).digest('base64')}`;
}

/** The headers that identify and sign a delivery. */
export function signatureHeaders(
  secret: string,
  deliveryId: string,
  rawBody: string,
  unixSeconds: number,
): Record<string, string> {
  return {
    'Oms-Delivery-Id': deliveryId,
    'Oms-Signature': omsSignature(secret, deliveryId, rawBody, unixSeconds),
    'webhook-id': deliveryId,
    'webhook-timestamp': String(unixSeconds),
    'webhook-signature': standardSignature(secret, deliveryId, rawBody, unixSeconds),
  };
}

/** What a receiver does (also used by our tests' receiver): check the v2 HMAC, over the delivery id, and the age. */
export function verify(
  secret: string,
  rawBody: string,
  header: string,
  deliveryId: string,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v2 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, `${t}.${deliveryId}.${rawBody}`).digest('hex'));
  const given = Buffer.from(parts.v2);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
