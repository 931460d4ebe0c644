import { orderDecider } from '../domain/orders/decider.ts';
import type { OrderEvent } from '../domain/orders/events.ts';
import { subtotalOf, type OrderState } from '../domain/orders/state.ts';
import { foldedStateProjection } from './folded-state.ts';

export const ORDER_EVENT_TYPES: readonly OrderEvent['type'][] = [
  'OrderPlaced',
  'OrderAllocationRecorded',
  'OrderConfirmed',
  'OrderBackordered',
  'OrderUpdated',
  'OrderCancelled',
  'OrderShipmentRecorded',
  'OrderShipmentCancelled',
  'OrderShipmentDelivered',
  'OrderShipped',
  'OrderDelivered',
];

/** orders: the folded order plus the columns lists filter and sort on. */
export const ordersProjection = foldedStateProjection<OrderState, OrderEvent>({
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
          created_at: s.placedAt,
          updated_at: s.updatedAt,
        },
});
