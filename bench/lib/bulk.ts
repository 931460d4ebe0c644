import pg from 'pg';

/**
 * Loads `count` orders straight into the orders read model for `tenant`, shaped like the rows the
 * orders projection writes (state = the folded PlacedOrder, so GET and list render them). Ids are
 * `ord_bulk<22 digits>` (valid order ids), created_at spreads backwards from a day ago at 30 s steps,
 * statuses are a realistic mix without `pending` (nothing should try to allocate them).
 */
export async function bulkLoadOrders(
  databaseUrl: string,
  tenant: string,
  count: number,
  batch = 100_000,
): Promise<{ rows: number; seconds: number; rowsPerSec: number }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-bulk-load' });
  await client.connect();
  const t0 = performance.now();
  try {
    // Loss of these rows on a crash does not matter; the WAL flush per batch does not either.
    await client.query('set synchronous_commit = off');
    const base = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
    for (let from = 1; from <= count; from += batch) {
      const to = Math.min(count, from + batch - 1);
      await client.query(BULK_SQL, [tenant, base, from, to]);
    }
    await client.query('analyze orders');
  } finally {
    await client.end().catch(() => {});
  }
  const seconds = (performance.now() - t0) / 1000;
  return { rows: count, seconds: Math.round(seconds * 10) / 10, rowsPerSec: Math.round(count / seconds) };
}

const BULK_SQL = `
insert into orders (tenant, id, customer_id, status, currency, external_id, subtotal, total_quantity, skus, state, version, created_at, updated_at)
select $1, s.id, s.cust, s.st, 'EUR', null, s.qty * s.price, s.qty, array[s.sku],
       jsonb_build_object(
         'status', s.st,
         'orderId', s.id,
         'customerId', s.cust,
         'currency', 'EUR',
         'lines', jsonb_build_array(jsonb_build_object(
           'sku', s.sku, 'quantity', s.qty, 'unitPrice', s.price,
           'reserved', case when s.st in ('confirmed') then jsonb_build_object('default', s.qty) else '{}'::jsonb end,
           'shipped', case when s.st in ('shipped', 'delivered') then jsonb_build_object('default', s.qty) else '{}'::jsonb end)),
         'shippingAddress', jsonb_build_object('line1', '1 Main St', 'city', 'Berlin', 'country', 'DE'),
         'externalId', null,
         'notes', null,
         'placedAt', to_char(s.created at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'updatedAt', to_char(s.created at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'shipments', '{}'::jsonb),
       s.version, s.created, s.created
  from (
    select 'ord_bulk' || lpad(g::text, 22, '0') as id,
           'cus_bulk' || lpad((g % 5000)::text, 22, '0') as cust,
           (array['confirmed','confirmed','backordered','shipped','shipped','delivered','delivered','delivered','delivered','cancelled'])[1 + g % 10] as st,
           'SKU-BULK-' || (g % 500) as sku,
           1 + g % 3 as qty,
           500 + (g % 50) * 100 as price,
           2 + g % 4 as version,
           $2::timestamptz - make_interval(secs => g * 30) as created
      from generate_series($3::int, $4::int) g
  ) s`;
