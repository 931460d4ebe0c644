import type pg from 'pg';
import type { Knex } from 'knex';
import type { PlacedOrder } from '../../domain/orders/state.ts';
import { ordersProjection } from '../../projections/orders.ts';
import { customerStream } from '../customers/commands.ts';
import { decodeCursor, page } from '../queries/pagination.ts';
import type { ReadModelAnswer } from '../queries/stale.ts';
import { orderStream } from './commands.ts';
import type { ListOrdersQuery } from './schemas.ts';
import { orderView, type OrderView } from './view.ts';

interface Row {
  state: PlacedOrder;
  version: number;
}

/**
 * The hottest read of the API: a named prepared statement, parsed and planned once per connection.
 * The row is stale (see ../queries/stale.ts) when the orders projection parked an event of the order's
 * stream, or its customer's CustomerForgotten (the row would still show the address, not redacted):
 * `$5 || customer_id` is that customer's stream name.
 */
export async function getOrder(pool: pg.Pool, tenant: string, id: string): Promise<ReadModelAnswer<OrderView> | null> {
  const row = (
    await pool.query<Row & { stale: boolean }>({
      name: 'get-order',
      text: `select o.state, o.version,
                    exists(select 1 from stale_entities s
                            where s.projection = $3 and s.stream_name in ($4, $5 || o.customer_id)) as stale
               from orders o where o.tenant = $1 and o.id = $2`,
      values: [tenant, id, ordersProjection.name, orderStream(tenant, id), customerStream(tenant, '')],
    })
  ).rows[0];
  return row ? { view: orderView(row.state, row.version), stale: row.stale } : null;
}

/**
 * Newest first; each filter combination is served by an index that starts with (tenant, filter, created_at),
 * except sku: the GIN index orders_by_sku finds a SKU rare in the tenant (its few rows then sorted), and
 * for a common one the planner walks orders_list (or orders_by_status, ...) newest first, keeping the
 * rows that have it.
 */
export async function listOrders(
  knex: Knex,
  tenant: string,
  f: ListOrdersQuery,
): Promise<{ data: OrderView[]; nextCursor: string | null }> {
  const cursor = decodeCursor(f.cursor);
  const q = knex('orders').select('state', 'version', 'created_at', 'id').where({ tenant });
  if (f.status) q.andWhere('status', f.status);
  if (f.customerId) q.andWhere('customer_id', f.customerId);
  if (f.externalId) q.andWhere('external_id', f.externalId);
  // The expression of the index orders_by_sku, whose statistics are per tenant (see its migration).
  if (f.sku) q.andWhereRaw('orders_sku_keys(tenant, skus) @> array[?]::text[]', [`${tenant}/${f.sku}`]);
  if (f.createdFrom) q.andWhere('created_at', '>=', f.createdFrom);
  if (f.createdTo) q.andWhere('created_at', '<', f.createdTo);
  if (cursor) q.andWhereRaw('(created_at, id) < (?::timestamptz, ?)', [cursor.createdAt, cursor.id]);
  const rows = (await q
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(f.limit + 1)) as (Row & { created_at: Date; id: string })[];
  const p = page(rows, f.limit, (r) => ({ createdAt: r.created_at.toISOString(), id: r.id }));
  return { data: p.data.map((r) => orderView(r.state, r.version)), nextCursor: p.nextCursor };
}
