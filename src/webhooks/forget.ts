import type { Knex } from 'knex';

/**
 * The delivery log keeps each payload as sent; a forgotten customer's personal fields are taken
 * out of it (customer events carry them under `pii`, order events as `shippingAddress`). What a
 * receiver already got cannot be recalled; a delivery still pending or redelivered goes without.
 */
export async function forgetInDeliveries(knex: Knex, tenant: string, customerId: string): Promise<number> {
  return knex
    .raw(
      `update webhook_deliveries
        set payload = jsonb_set(payload, '{data}',
              ((payload->'data') - 'pii' - 'shippingAddress' #- '{changes,shippingAddress}') || '{"personalDataForgotten": true}'::jsonb),
            updated_at = now()
      where tenant = ?
        and not coalesce((payload->'data'->>'personalDataForgotten')::boolean, false)
        and (payload->'data'->>'customerId' = ?
             or payload->'data'->>'orderId' in (select id from orders where tenant = ? and customer_id = ?))`,
      [tenant, customerId, tenant, customerId],
    )
    .then((r: { rowCount: number }) => r.rowCount);
}
