import type { EventStore, Position, RecordedEvent } from '../eventstore/port.ts';

export type LogPageReader = (after: Position | null, maxCount: number) => Promise<RecordedEvent[]>;

/**
 * One read of the global log for all projections of a process. The projections mostly sit at the
 * same checkpoint, so without this each of them fetched (and decrypted and upcast) the same page.
 *
 * A page after a position only ever grows at its end (the Postgres store hides commits behind an
 * older open transaction; EventStoreDB's log is linear), so a page read earlier is a prefix of one
 * read now: reusing a page that held events is always correct, merely shorter. An empty page is
 * reused only for `emptyTtlMs`, so new events are seen at most that much later, and never after a
 * wake-up (`epoch` moved: an append was announced after the page was read).
 * Pages are shared: readers must not modify the events.
 */
export function sharedLogReader(
  store: EventStore,
  options: { emptyTtlMs?: number; maxPages?: number; epoch?: () => number } = {},
): LogPageReader {
  const emptyTtlMs = options.emptyTtlMs ?? 10;
  const maxPages = options.maxPages ?? 8;
  const epochNow = options.epoch ?? (() => 0);
  const pages = new Map<string, { at: number; epoch: number; page: Promise<RecordedEvent[]>; held: boolean }>();
  return (after, maxCount) => {
    const key = `${after?.commit ?? '-'}/${after?.prepare ?? '-'}/${maxCount}`;
    const now = performance.now();
    const epoch = epochNow();
    const hit = pages.get(key);
    if (hit && (hit.held || (now - hit.at <= emptyTtlMs && hit.epoch === epoch))) return hit.page;
    const entry = { at: now, epoch, page: store.readAll({ after, maxCount }), held: false };
    entry.page.then(
      (events) => (entry.held = events.length > 0),
      () => pages.get(key) === entry && pages.delete(key), // a failed read is not kept
    );
    pages.delete(key);
    pages.set(key, entry);
    while (pages.size > maxPages) pages.delete(pages.keys().next().value!);
    return entry.page;
  };
}
