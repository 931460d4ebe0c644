import type { Knex } from 'knex';
import { customersProjection } from '../../projections/customers.ts';
import { decodeCursor, page } from '../queries/pagination.ts';
import { type ReadModelAnswer, STALE_COLUMN_SQL } from '../queries/stale.ts';
import { customerStream } from './commands.ts';
import type { ListCustomersQuery } from './schemas.ts';
import { viewFromRow, type CustomerRow, type CustomerView } from './view.ts';

const COLUMNS = ['id', 'email', 'name', 'phone', 'external_id', 'addresses', 'version', 'created_at', 'updated_at'];

/** The customer's row, and whether it is stale (an event of the customer is parked). */
export async function getCustomer(
  knex: Knex,
  tenant: string,
  id: string,
): Promise<ReadModelAnswer<CustomerView> | null> {
  const row = (await knex('customers')
    .select(COLUMNS)
    .select(knex.raw(STALE_COLUMN_SQL, [customersProjection.name, customerStream(tenant, id)]))
    .where({ tenant, id })
    .first()) as (CustomerRow & { stale: boolean }) | undefined;
  return row ? { view: viewFromRow(row), stale: row.stale } : null;
}

export async function listCustomers(
  knex: Knex,
  tenant: string,
  q: ListCustomersQuery,
): Promise<{ data: CustomerView[]; nextCursor: string | null }> {
  const cursor = decodeCursor(q.cursor);
  const query = knex('customers').select(COLUMNS).where({ tenant });
  if (q.email !== undefined) query.andWhere('email_lower', q.email.trim().toLowerCase());
  if (cursor) query.andWhereRaw('(created_at, id) < (?::timestamptz, ?)', [cursor.createdAt, cursor.id]);
  const rows = (await query
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(q.limit + 1)) as CustomerRow[];
  const views = rows.map(viewFromRow);
  return page(views, q.limit, (v) => ({ createdAt: v.createdAt, id: v.id }));
}
