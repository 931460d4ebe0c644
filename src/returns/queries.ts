import type { Knex } from 'knex';
import type { ActiveReturn } from '../../domain/returns/state.ts';
import { returnsProjection } from '../../projections/returns.ts';
import { decodeCursor, page } from '../queries/pagination.ts';
import { type ReadModelAnswer, STALE_COLUMN_SQL } from '../queries/stale.ts';
import type { ListReturnsQuery } from './schemas.ts';
import { returnStream } from './streams.ts';
import { returnView, type ReturnView } from './view.ts';

interface Row {
  id: string;
  state: ActiveReturn;
  version: number;
  created_at: Date;
}

/** The return's row, and whether it is stale (an event of the return is parked). */
export async function getReturn(knex: Knex, tenant: string, id: string): Promise<ReadModelAnswer<ReturnView> | null> {
  const row = (await knex('returns')
    .select('state', 'version')
    .select(knex.raw(STALE_COLUMN_SQL, [returnsProjection.name, returnStream(tenant, id)]))
    .where({ tenant, id })
    .first()) as (Row & { stale: boolean }) | undefined;
  return row ? { view: returnView(row.state, row.version), stale: row.stale } : null;
}

/** Returns newest first (keyset paging on created_at, id), filtered by order and status. */
export async function listReturns(knex: Knex, tenant: string, q: ListReturnsQuery) {
  const query = knex('returns').select('id', 'state', 'version', 'created_at').where({ tenant });
  if (q.orderId) query.andWhere('order_id', q.orderId);
  if (q.status) query.andWhere('status', q.status);
  const cursor = decodeCursor(q.cursor);
  if (cursor) query.andWhereRaw('(created_at, id) < (?::timestamptz, ?)', [cursor.createdAt, cursor.id]);
  const rows = (await query
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(q.limit + 1)) as Row[];
  const p = page(rows, q.limit, (r) => ({ createdAt: r.created_at.toISOString(), id: r.id }));
  return { data: p.data.map((r) => returnView(r.state, r.version)), nextCursor: p.nextCursor };
}
