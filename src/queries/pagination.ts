import { invalidQuery } from './errors.ts';

// Keyset pagination: the cursor is the sort key of the last row served, opaque to clients.

export interface Cursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

export function decodeCursor(text: string | undefined): Cursor | null {
  if (!text) return null;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (isTimestamp(createdAt) && isSafeText(id)) return { createdAt, id };
  } catch {
    // fall through
  }
  throw invalidQuery('query:/cursor', 'is not a cursor this API issued', 'invalid cursor');
}

/** UTC, to the microsecond at most, and a real calendar time (Postgres refuses 2026-02-30: a 500). */
function isTimestamp(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v)) return false;
  const t = Date.parse(v);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 19) === v.slice(0, 19);
}

/** Text Postgres takes as a parameter (it refuses NUL). */
export const isSafeText = (v: unknown): v is string => typeof v === 'string' && !v.includes('\u0000');

/** Rows fetched with limit + 1: the extra row only says whether there is a next page. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => Cursor): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/**
 * The exact text of a timestamptz column for a cursor, to the microsecond: a column filled by the
 * database (`default now()`) has microseconds, and a cursor cut to milliseconds would skip rows.
 * Select it next to the row, e.g. `knex.raw(\`${CURSOR_AT('created_at')} as cursor_at\`)`.
 */
export const CURSOR_AT = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

// Stream-order lists (an entity's events, oldest first): the cursor is the 0-based store revision
// of the last event served, so the next page reads the stream from the revision after it.

export function encodeRevisionCursor(revision: number): string {
  return Buffer.from(JSON.stringify(['rev', revision])).toString('base64url');
}

export function decodeRevisionCursor(text: string | undefined): number | null {
  if (!text) return null;
  try {
    const [tag, revision] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (tag === 'rev' && Number.isSafeInteger(revision) && (revision as number) >= 0) return revision as number;
  } catch {
    // fall through
  }
  throw invalidQuery('query:/cursor', 'is not a cursor this API issued', 'invalid cursor');
}

// Log-order lists over several streams (a SKU's events across its locations): the cursor is the
// global log position of the last event served.

export function encodePositionCursor(position: string): string {
  return Buffer.from(JSON.stringify(['pos', position])).toString('base64url');
}

export function decodePositionCursor(text: string | undefined): string | null {
  if (!text) return null;
  try {
    const [tag, position] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (tag === 'pos' && typeof position === 'string' && /^\d{1,20}-\d{1,20}$/.test(position)) return position;
  } catch {
    // fall through
  }
  throw invalidQuery('query:/cursor', 'is not a cursor this API issued', 'invalid cursor');
}
