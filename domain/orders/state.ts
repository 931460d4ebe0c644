import type { Address } from '../shared/address.ts';
import type { HoldReason, PaymentType, Shipping, ShipmentLine } from './events.ts';

export type OrderStatus =
  | 'pending'
  | 'confirmed'
  | 'backordered'
  | 'partially_shipped'
  | 'shipped'
  | 'delivered'
  | 'partially_returned'
  | 'returned'
  | 'cancelled';

export interface LineState {
  sku: string;
  quantity: number;
  unitPrice: number;
  /** For the whole line, minor units. */
  discount: number;
  tax: number;
  /** Units held for this line per location and not yet shipped. */
  reserved: Record<string, number>;
  /** Units shipped per location (by shipments that were not cancelled). */
  shipped: Record<string, number>;
  /** Units cancelled (OrderLinesCancelled); absent in states folded before it existed. */
  cancelled?: number;
}

export interface ShipmentRef {
  location: string;
  lines: ShipmentLine[];
  status: 'active' | 'delivered' | 'cancelled';
}

export interface PaymentRecord {
  paymentId: string;
  type: PaymentType;
  amount: number;
  reference: string;
  recordedAt: string;
}

export interface RefundRecord {
  refundId: string;
  returnId: string | null;
  amount: number;
  reference: string;
  recordedAt: string;
}

export interface HoldState {
  holdId: string;
  reason: HoldReason;
  note: string | null;
  placedAt: string;
  /** null while the hold is open. */
  releasedAt: string | null;
}

export interface PlacedOrder {
  status: OrderStatus;
  orderId: string;
  customerId: string;
  currency: string;
  lines: LineState[];
  shippingAddress: Address;
  externalId: string | null;
  notes: string | null;
  placedAt: string;
  updatedAt: string;
  shipments: Record<string, ShipmentRef>;
  shipping: Shipping;
  /** In the order they were recorded. */
  payments: PaymentRecord[];
  refunds: RefundRecord[];
  holds: HoldState[];
  /** Location codes allocation tries first (absent: none). */
  preferredLocations?: string[];
  /** Returns that claimed shipped units (absent on orders folded before returns existed). */
  returns?: Record<string, ReturnRef>;
}

/** A return as the order sees it: the units it claims and those received back so far. */
export interface ReturnRef {
  lines: ShipmentLine[];
  received: ShipmentLine[];
  status: 'open' | 'rejected';
}

/**
 * An order folded before payments, holds and money per line existed (a read-model row written
 * then, or an event without them) has none of them: they read as nothing recorded and 0.
 */
export function withMoneyDefaults(o: PlacedOrder): PlacedOrder {
  if (o.holds && o.payments && o.refunds && o.shipping && o.lines.every((l) => l.discount !== undefined)) return o;
  return {
    ...o,
    lines: o.lines.map((l) => ({ ...l, discount: l.discount ?? 0, tax: l.tax ?? 0 })),
    shipping: o.shipping ?? { amount: 0, method: null },
    payments: o.payments ?? [],
    refunds: o.refunds ?? [],
    holds: o.holds ?? [],
  };
}

export type OrderState = { status: 'none' } | PlacedOrder;

export const initialOrderState = (): OrderState => ({ status: 'none' });

export const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
export const reservedOf = (l: LineState) => sum(l.reserved);
export const shippedOf = (l: LineState) => sum(l.shipped);
export const cancelledOf = (l: LineState) => l.cancelled ?? 0;
/** Units the customer still gets: ordered less cancelled. */
export const dueOf = (l: LineState) => l.quantity - cancelledOf(l);
/** Units neither shipped nor cancelled (what a cancel may still take). */
export const unshippedOf = (l: LineState) => dueOf(l) - shippedOf(l);

/**
 * Statuses in which an order holds, or waits for, stock: allocation runs for them and records what
 * they hold. A partially shipped order still needs its unshipped units, and a shortfall can take them.
 */
export const holdsStock = (status: OrderStatus | 'none'): boolean =>
  status === 'pending' || status === 'confirmed' || status === 'backordered' || status === 'partially_shipped';

export const isFullyReserved = (o: PlacedOrder) => o.lines.every((l) => reservedOf(l) + shippedOf(l) >= dueOf(l));
export const isFullyShipped = (o: PlacedOrder) => o.lines.every((l) => shippedOf(l) >= dueOf(l));
export const hasShipped = (o: PlacedOrder) => o.lines.some((l) => shippedOf(l) > 0);
export const subtotalOf = (o: Pick<PlacedOrder, 'lines'>) => o.lines.reduce((n, l) => n + l.quantity * l.unitPrice, 0);

export const openHolds = (o: Pick<PlacedOrder, 'holds'>) => o.holds.filter((h) => h.releasedAt === null);
export const isOnHold = (o: Pick<PlacedOrder, 'holds'>) => o.holds.some((h) => h.releasedAt === null);

export type OrderAction = 'update' | 'cancel' | 'ship';

/** What a client may do next, derived from the state (shown on the order). */
export function allowedActions(o: OrderState): OrderAction[] {
  if (o.status === 'none') return [];
  // An open hold stops shipments, nothing else.
  const canShip = o.lines.some((l) => reservedOf(l) > 0) && !isOnHold(withMoneyDefaults(o));
  switch (o.status) {
    case 'pending':
      return ['update', 'cancel'];
    case 'confirmed':
      return canShip ? ['update', 'cancel', 'ship'] : ['update', 'cancel'];
    case 'backordered':
      return canShip ? ['update', 'cancel', 'ship'] : ['update', 'cancel'];
    case 'partially_shipped':
      // What has not shipped can still be cancelled.
      return canShip ? ['cancel', 'ship'] : ['cancel'];
    default:
      return [];
  }
}
