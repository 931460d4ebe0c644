import { monotonicFactory } from 'ulid';

// Server-made ids: a type prefix and a lower-case ULID (time-ordered, URL-safe).
const ulid = monotonicFactory();

export type IdPrefix = 'cus' | 'ord' | 'shp' | 'whk' | 'key' | 'req' | 'dlv' | 'cli';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

export function isId(prefix: IdPrefix, value: string): boolean {
  return new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`).test(value);
}
