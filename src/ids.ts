import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

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

export type IdPrefix = 'cus' | 'ord' | 'shp' | 'whk' | 'key' | 'req' | 'dlv' | 'cli';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

const patterns = new Map<IdPrefix, RegExp>();

export function isId(prefix: IdPrefix, value: string): boolean {
  let re = patterns.get(prefix);
  if (!re) patterns.set(prefix, (re = new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`)));
  return re.test(value);
}
