import type { Principal } from '../auth/principal.ts';
import { parsePosition, type EventStore } from '../eventstore/port.ts';
import { dataVisibleTo } from './personal-data-scopes.ts';
import { invalidQuery } from '../queries/errors.ts';
import { EVENT_SCHEMAS } from './event-schemas.ts';
import { eventView, isInternal, type EventView } from './event-view.ts';
import type { FeedQuery } from './schemas.ts';

const SCAN_PAGE = 500;
/** A filtered feed page stops scanning after this many events and hands back a cursor. */
const SCAN_CAP = 20_000;

/**
 * The principal's tenant's global feed in log order. The cursor is the log position of the last event
 * scanned (not only returned), so a filtered feed resumes without gaps or repeats.
 */
export async function readFeed(
  store: EventStore,
  principal: Principal,
  q: FeedQuery,
): Promise<{ data: EventView[]; nextCursor: string | null }> {
  const tenant = principal.tenant;
  let after = null;
  if (q.after) {
    after = parsePosition(q.after);
    if (!after) throw invalidQuery('query:/after', 'is not a position token', 'invalid after');
  }
  const types = q.types
    ? new Set(
        q.types
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      )
    : null;
  // A misspelt type would otherwise match nothing and look like an empty log.
  const unknown = types ? [...types].filter((t) => !Object.hasOwn(EVENT_SCHEMAS, t)) : [];
  if (unknown.length > 0)
    throw invalidQuery(
      'query:/types',
      `names unknown event types: ${unknown.join(', ')} (GET /v1/event-types lists them)`,
      'unknown event type',
    );
  const data: EventView[] = [];
  let scanned = 0;
  let cursor: string | null = q.after ?? null;
  for (;;) {
    const page = await store.readAll({ after, maxCount: types ? SCAN_PAGE : q.limit - data.length, tenant });
    for (const e of page) {
      after = e.position;
      scanned++;
      if (isInternal(e) || (types && !types.has(e.type))) {
        cursor = eventView(e).position;
        continue;
      }
      // Personal data only with the scope that reads it (events:read alone sees it redacted).
      const view = { ...eventView(e), data: dataVisibleTo(principal, e.type, e.data) };
      data.push(view);
      cursor = view.position;
      if (data.length === q.limit) return { data, nextCursor: cursor };
    }
    if (page.length === 0 || scanned >= SCAN_CAP) return { data, nextCursor: cursor };
  }
}
