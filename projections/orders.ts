import { orderDecider } from '../domain/orders/decider.ts';
import type { OrderEvent } from '../domain/orders/events.ts';
import { subtotalOf, type OrderState } from '../domain/orders/state.ts';
import type { Knex } from 'knex';
import { REDACTED, redactedAddress } from '../domain/customers/redacted.ts';
import type { RecordedEvent } from '../src/eventstore/port.ts';
import type { Projection } from '../src/projector/projection.ts';
import { foldedStateProjection } from './folded-state.ts';

export const ORDER_EVENT_TYPES: readonly OrderEvent['type'][] = [
  'OrderPlaced',
  'OrderAllocationRecorded',
  'OrderConfirmed',
  'OrderBackordered',
  'OrderUpdated',
  'OrderCancelled',
  'OrderLinesCancelled',
  'OrderShipmentRecorded',
  'OrderShipmentCancelled',
  'OrderShipmentDelivered',
  'OrderShipped',
  'OrderDelivered',
  'OrderReturnRequested',
  'OrderReturnRejected',
  'OrderReturnReceived',
  'OrderPaymentRecorded',
  'RefundRecorded',
  'OrderHoldPlaced',
  'OrderHoldReleased',
];

/**
 * The SKUs of the lines, for `GET /v1/orders?sku=` (GIN index orders_by_sku): distinct and in byte
 * order, as the migration backfilled them, so live, replayed and backfilled rows are alike.
 */
const skusOf = (lines: readonly { sku: string }[]): string[] => [...new Set(lines.map((l) => l.sku))].sort();

/** The folded order plus the columns lists filter and sort on. */
const foldedOrders = foldedStateProjection<OrderState, OrderEvent>({
  name: 'orders',
  table: 'orders',
  handles: ORDER_EVENT_TYPES,
  decider: orderDecider,
  columns: (s) =>
    s.status === 'none'
      ? null
      : {
          customer_id: s.customerId,
          status: s.status,
          currency: s.currency,
          external_id: s.externalId,
          subtotal: subtotalOf(s),
          total_quantity: s.lines.reduce((n, l) => n + l.quantity, 0),
          skus: skusOf(s.lines),
          created_at: s.placedAt,
          updated_at: s.updatedAt,
        },
});

/** The orders of the customer a CustomerForgotten names get the redacted address and notes. */
async function redactOrdersOf(trx: Knex.Transaction, e: RecordedEvent) {
  await trx('orders')
    .where({ tenant: e.metadata.tenant, customer_id: (e.data as { customerId: string }).customerId })
    .update({
      // Notes are personal data too: text becomes "[redacted]", null stays null.
      // So are the notes of holds (an order folded before holds existed has no holds key: it stays so).
      state: trx.raw(
        `jsonb_set(jsonb_set(state, '{shippingAddress}', ?::jsonb), '{notes}',
           case when jsonb_typeof(state->'notes') = 'string' then to_jsonb(?::text) else coalesce(state->'notes', 'null') end)
         || case when jsonb_typeof(state->'holds') = 'array' then jsonb_build_object('holds',
              (select coalesce(jsonb_agg(case when jsonb_typeof(h->'note') = 'string'
                                              then jsonb_set(h, '{note}', to_jsonb(?::text)) else h end
                                         order by i), '[]'::jsonb)
                 from jsonb_array_elements(state->'holds') with ordinality as x(h, i)))
            else '{}'::jsonb end`,
        [JSON.stringify(redactedAddress()), REDACTED, REDACTED],
      ),
    });
}

/** Hands the order events between two CustomerForgotten to `run`, and each CustomerForgotten to `forget`, in order. */
async function splitAtForgets(
  events: readonly RecordedEvent[],
  run: (events: RecordedEvent[]) => Promise<void>,
  forget: (e: RecordedEvent) => Promise<void>,
) {
  let orders: RecordedEvent[] = [];
  for (const e of events) {
    if (e.type !== 'CustomerForgotten') {
      orders.push(e);
      continue;
    }
    if (orders.length > 0) await run(orders);
    orders = [];
    await forget(e);
  }
  if (orders.length > 0) await run(orders);
}

/**
 * orders. A forgotten customer's orders get the redacted address and notes at once: replayed, their events
 * already read back redacted (the key is gone), so a live row and a rebuilt one end up the same.
 */
export const ordersProjection: Projection = {
  ...foldedOrders,
  handles: [...ORDER_EVENT_TYPES, 'CustomerForgotten'],
  apply: (trx, events) =>
    splitAtForgets(
      events,
      (run) => foldedOrders.apply(trx, run),
      (e) => redactOrdersOf(trx, e),
    ),
  replay(limits) {
    const folded = foldedOrders.replay(limits);
    return {
      apply: (trx, events) =>
        splitAtForgets(
          events,
          (run) => folded.apply(trx, run),
          async (e) => {
            // The customer's orders held in memory are written first (and read back when they change
            // again), so the one statement redacts every row, as live.
            const customerId = (e.data as { customerId: string }).customerId;
            await folded.evict(trx, e.metadata.tenant, (s) => s.status !== 'none' && s.customerId === customerId);
            await redactOrdersOf(trx, e);
          },
        ),
      flush: (trx) => folded.flush(trx),
      drain: () => folded.drain(),
    };
  },
};
