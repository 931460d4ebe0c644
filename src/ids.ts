import { hash, randomFillSync } from 'node:crypto';
import { encodeTime, monotonicFactory } from 'ulid';

// Server-made ids: a type prefix and a lower-case ULID (time-ordered, URL-safe).

// ulid's own Node PRNG calls crypto.randomBytes(1) for each of the 16 random characters: 16
// CSPRNG calls per id, several ids per request. Same source, drawn 4 KiB at a time.
const pool = Buffer.alloc(4096);
let next = pool.length;
function randomByteFraction(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 256;
}

const ulid = monotonicFactory(randomByteFraction);

export type IdPrefix = 'cus' | 'ord' | 'shp' | 'whk' | 'key' | 'req' | 'dlv' | 'cli' | 'pay' | 'hld' | 'ret' | 'rfd';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * An id that is the same every time for the same seed: the time part from `sinceMs`, the rest from
 * a digest of the seed (for retries of one idempotent request).
 */
export function derivedId(prefix: IdPrefix, sinceMs: number, seed: string): string {
  const digest = hash('sha256', `${prefix}\n${seed}`, 'buffer') as Buffer;
  let rest = '';
  for (let i = 0; i < 16; i++) rest += CROCKFORD[digest[i]! >> 3];
  return `${prefix}_${encodeTime(sinceMs, 10).toLowerCase()}${rest}`;
}

/** A hash of the seed laid out as a UUID of `version` (RFC 9562 variant bits 10). */
function hashedUuid(seed: string, version: 5 | 8): string {
  const b = Buffer.from(hash('sha256', seed, 'buffer') as Buffer).subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | (version << 4);
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A UUID that is the same every time for the same seed: 122 bits of SHA-256, so version 8
 * (RFC 9562 §5.8, custom); version 5 means name-based with SHA-1, which this is not.
 */
export const derivedUuid = (seed: string): string => hashedUuid(seed, 8);

/**
 * The same digest with the version 5 nibble, as releases before the change wrote it. Only to
 * recognise an event such a release appended for a request that is retried now (see
 * src/commands/legacy-event-ids.ts); stored ids never change.
 */
export const legacyDerivedUuid = (seed: string): string => hashedUuid(seed, 5);

const patterns = new Map<IdPrefix, RegExp>();

export function isId(prefix: IdPrefix, value: string): boolean {
  let re = patterns.get(prefix);
  if (!re) {
    re = new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`);
    patterns.set(prefix, re);
  }
  return re.test(value);
}
