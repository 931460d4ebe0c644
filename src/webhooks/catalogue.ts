// The public webhook event catalogue: which internal events become which `resource.action`
// notifications, and what their `data` holds.
import type { Scope } from '../auth/principal.ts';
import { idOfStream, type RecordedEvent } from '../eventstore/port.ts';

export const WEBHOOK_EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.forgotten',
  'order.placed',
  'order.updated',
  'order.confirmed',
  'order.backordered',
  'order.cancelled',
  'order.lines_cancelled',
  'order.shipped',
  'order.delivered',
  'order.held',
  'order.hold_released',
  'order.payment_recorded',
  'refund.recorded',
  'shipment.created',
  'shipment.status_changed',
  'shipment.delivered',
  'return.requested',
  'return.approved',
  'return.rejected',
  'return.received',
  'inventory.adjusted',
  'inventory.low',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * Notifications whose data carries personal data, with the scope that reads it: an endpoint is
 * subscribed to them (or to `*`) only by a principal holding that scope too.
 */
export const PERSONAL_DATA_EVENT_SCOPES: Readonly<Partial<Record<WebhookEventType, Scope>>> = {
  'customer.created': 'customers:read',
  'customer.updated': 'customers:read',
  'order.placed': 'orders:read',
  'order.updated': 'orders:read',
  // A hold's note is free text that may name the customer.
  'order.held': 'orders:read',
};

/** The read scopes a subscription to these notification types needs, by type. */
export function personalDataScopesFor(events: readonly string[]): Map<Scope, string[]> {
  const types = events.includes('*') ? WEBHOOK_EVENT_TYPES : events;
  const needed = new Map<Scope, string[]>();
  for (const t of types) {
    const scope = PERSONAL_DATA_EVENT_SCOPES[t as WebhookEventType];
    if (scope) needed.set(scope, [...(needed.get(scope) ?? []), t]);
  }
  return needed;
}

const SIMPLE: Record<string, WebhookEventType> = {
  CustomerRegistered: 'customer.created',
  CustomerUpdated: 'customer.updated',
  CustomerForgotten: 'customer.forgotten',
  OrderPlaced: 'order.placed',
  OrderUpdated: 'order.updated',
  OrderConfirmed: 'order.confirmed',
  OrderBackordered: 'order.backordered',
  OrderCancelled: 'order.cancelled',
  OrderLinesCancelled: 'order.lines_cancelled',
  OrderShipped: 'order.shipped',
  OrderDelivered: 'order.delivered',
  OrderHoldPlaced: 'order.held',
  OrderHoldReleased: 'order.hold_released',
  OrderPaymentRecorded: 'order.payment_recorded',
  ShipmentCreated: 'shipment.created',
  ReturnRequested: 'return.requested',
  ReturnApproved: 'return.approved',
  ReturnRejected: 'return.rejected',
  ReturnReceived: 'return.received',
};

/** Internal event types the fan-out listens to. */
export const SOURCE_EVENT_TYPES = [
  ...Object.keys(SIMPLE),
  'RefundRecorded',
  'ShipmentStatusChanged',
  'StockAdjusted',
  'StockCounted',
  'StockReserved',
  'StockShipped',
];

interface Level {
  sku: string;
  location: string;
  onHand: number;
  reserved: number;
  onHandDelta: number;
  reservedDelta: number;
}

/** The public notifications one internal event produces, with their `data`. */
export function publicEventsFor(
  e: Pick<RecordedEvent, 'type' | 'data' | 'streamName'>,
  lowThreshold: number,
): { type: WebhookEventType; data: Record<string, unknown> }[] {
  const data = e.data as Record<string, unknown>;
  const simple = SIMPLE[e.type];
  if (simple) {
    const resource = simple.split('.')[0]!;
    return [{ type: simple, data: { [`${resource}Id`]: idOfStream(e.streamName), ...data } }];
  }
  // A refund lives on its order's stream: the data names both.
  if (e.type === 'RefundRecorded')
    return [{ type: 'refund.recorded', data: { orderId: idOfStream(e.streamName), ...data } }];
  if (e.type === 'ShipmentStatusChanged') {
    const out: { type: WebhookEventType; data: Record<string, unknown> }[] = [
      { type: 'shipment.status_changed', data },
    ];
    if (data.status === 'delivered') out.push({ type: 'shipment.delivered', data });
    return out;
  }
  if (['StockAdjusted', 'StockCounted', 'StockReserved', 'StockShipped'].includes(e.type)) {
    const l = data as unknown as Level;
    const available = l.onHand - l.reserved;
    const before = l.onHand - l.onHandDelta - (l.reserved - l.reservedDelta);
    const out: { type: WebhookEventType; data: Record<string, unknown> }[] = [];
    if (e.type === 'StockAdjusted' || e.type === 'StockCounted') out.push({ type: 'inventory.adjusted', data });
    if (available <= lowThreshold && before > lowThreshold) {
      out.push({
        type: 'inventory.low',
        data: {
          sku: l.sku,
          location: l.location,
          onHand: l.onHand,
          reserved: l.reserved,
          available,
          threshold: lowThreshold,
        },
      });
    }
    return out;
  }
  return [];
}
