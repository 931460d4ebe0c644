import type { Knex } from 'knex';
import type { DefinedLocation } from '../../domain/locations/state.ts';
import { invalidQuery } from '../queries/errors.ts';
import type { ListLocationsQuery } from './schemas.ts';
import { locationView } from './view.ts';

interface Row {
  id: string;
  priority: number;
  state: DefinedLocation;
  version: number;
}

/** In allocation order: priority, then code. The cursor is the last row's (priority, code). */
export async function listLocations(knex: Knex, tenant: string, q: ListLocationsQuery) {
  const query = knex('locations').where({ tenant });
  if (q.active !== undefined) query.andWhere('active', q.active);
  if (q.cursor) {
    const [priority, code] = decode(q.cursor);
    query.andWhereRaw('(priority, id) > (?, ? collate "C")', [priority, code]);
  }
  const rows = (await query
    .orderBy([{ column: 'priority' }, { column: knex.raw('id collate "C"') as unknown as string }])
    .limit(q.limit + 1)) as Row[];
  const data = rows.slice(0, q.limit).map((r) => locationView(r.state, r.version));
  const last = data[data.length - 1];
  return {
    data,
    nextCursor:
      rows.length > q.limit && last
        ? Buffer.from(JSON.stringify([last.priority, last.code])).toString('base64url')
        : null,
  };
}

function decode(cursor: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      Number.isInteger(v[0]) &&
      typeof v[1] === 'string' &&
      !v[1].includes('\u0000')
    )
      return v as [number, string];
  } catch {
    // fall through
  }
  throw invalidQuery('query:/cursor', 'is not a cursor this API issued', 'invalid cursor');
}
