import { createHmac } from 'node:crypto';
import { streamName } from '../eventstore/port.ts';

/**
 * The email reservation stream of a tenant: named by a keyed hash of the normalised address, so
 * stream names reveal no personal data and nobody without the key can test an address.
 */
export function emailReservationStream(hashKey: string, tenant: string, email: string): string {
  const digest = createHmac('sha256', hashKey).update(`${tenant}\n${email.trim().toLowerCase()}`).digest('base64url');
  return streamName(tenant, 'customer-email', digest.slice(0, 32));
}
