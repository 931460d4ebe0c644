// The checks of an append to the memory event store, in the order the Postgres adapter's
// es_append makes them: ids already stored (a retry, or a duplicate), then the expected
// revision, then an id repeated within the batch.
import { DuplicateEventIdError, WrongExpectedVersionError, type ExpectedRevision } from '../port.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Event ids are UUIDs, compared and stored in lower case (Postgres stores them as uuid). */
export function eventIdOf(e: { id: string }): string {
  if (typeof e.id !== 'string' || !UUID.test(e.id)) throw new TypeError(`event id is not a UUID: ${String(e.id)}`);
  return e.id.toLowerCase();
}

/**
 * Idempotent append: true when every id is already stored in `stream` (the append is a retry
 * and writes nothing), false when none is stored. Anything in between, or an id stored in
 * another stream, is a DuplicateEventIdError naming the offending id.
 */
export function isRetry(stream: string, ids: readonly string[], streamOf: (id: string) => string | undefined): boolean {
  const stored = [...new Set(ids)].filter((id) => streamOf(id) !== undefined);
  if (stored.length === 0) return false;
  const elsewhere = stored.find((id) => streamOf(id) !== stream);
  if (elsewhere === undefined && stored.length === ids.length) return true;
  throw new DuplicateEventIdError(elsewhere ?? stored[0]!);
}

export function checkExpectedRevision(stream: string, expected: ExpectedRevision, actual: number | 'no_stream'): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 'no_stream') ||
    (expected === 'stream_exists' && actual !== 'no_stream') ||
    expected === actual;
  if (!ok) throw new WrongExpectedVersionError(stream, expected, actual);
}

export function checkNoRepeatedId(ids: readonly string[]): void {
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new DuplicateEventIdError(twice);
}
