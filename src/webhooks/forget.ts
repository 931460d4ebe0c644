import type { Knex } from 'knex';
import { streamName, type EventStore } from '../eventstore/port.ts';

/**
 * The delivery log keeps each payload as sent; a forgotten customer's personal fields are taken
 * out of it (customer events carry them under `pii`, order events as `shippingAddress` and `notes`, a hold as `note`). What a
 * receiver already got cannot be recalled; a delivery still pending or redelivered goes without.
 */
export async function forgetInDeliveries(
  knex: Knex,
  store: EventStore,
  tenant: string,
  customerId: string,
): Promise<number> {
  const orderIds = await ordersOfCustomerInDeliveries(knex, store, tenant, customerId);
  return knex
    .raw(
      `update webhook_deliveries
        set payload = jsonb_set(payload, '{data}',
              ((payload->'data') - 'pii' - 'shippingAddress' - 'notes' - 'note' #- '{changes,shippingAddress}' #- '{changes,notes}') || '{"personalDataForgotten": true}'::jsonb),
            updated_at = now()
      where tenant = ?
        and not coalesce((payload->'data'->>'personalDataForgotten')::boolean, false)
        and (payload->'data'->>'customerId' = ? or payload->'data'->>'orderId' = any(?))`,
      [tenant, customerId, orderIds],
    )
    .then((r: { rowCount: number }) => r.rowCount);
}

/**
 * The customer's orders among the deliveries that hold personal data and name an order but not its
 * customer (order.updated changing the address or notes, order.held with a note): one stream read per such order.
 * Asked of each order's first event in the log, not of the orders read model, which may lag or
 * may have parked the order's events.
 */
async function ordersOfCustomerInDeliveries(
  knex: Knex,
  store: EventStore,
  tenant: string,
  customerId: string,
): Promise<string[]> {
  const rows: { order_id: string }[] = (
    await knex.raw(
      `select distinct payload->'data'->>'orderId' as order_id from webhook_deliveries
        where tenant = ? and payload->'data'->>'orderId' is not null and payload->'data'->>'customerId' is null
          and (payload->'data'->'shippingAddress' is not null or payload->'data'->'changes'->'shippingAddress' is not null
               or payload->'data'->'changes'->'notes' is not null or payload->'data'->'note' is not null)
          and not coalesce((payload->'data'->>'personalDataForgotten')::boolean, false)`,
      [tenant],
    )
  ).rows;
  const theirs: string[] = [];
  for (const { order_id } of rows) {
    const [placed] = await store.readStream(streamName(tenant, 'order', order_id), { maxCount: 1 });
    if ((placed?.data as { customerId?: unknown } | undefined)?.customerId === customerId) theirs.push(order_id);
  }
  return theirs;
}
