import type { Address } from '../shared/address.ts';
import type { ShipmentLine } from './events.ts';

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
  /** Units held for this line per location and not yet shipped. */
  reserved: Record<string, number>;
  /** Units shipped per location (by shipments that were not cancelled). */
  shipped: Record<string, number>;
}

export interface ShipmentRef {
  location: string;
  lines: ShipmentLine[];
  status: 'active' | 'delivered' | 'cancelled';
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
  /** Returns that claimed shipped units (absent on orders folded before returns existed). */
  returns?: Record<string, ReturnRef>;
}

/** A return as the order sees it: the units it claims and those received back so far. */
export interface ReturnRef {
  lines: ShipmentLine[];
  received: ShipmentLine[];
  status: 'open' | 'rejected';
}

export type OrderState = { status: 'none' } | PlacedOrder;

export const initialOrderState = (): OrderState => ({ status: 'none' });

export const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
export const reservedOf = (l: LineState) => sum(l.reserved);
export const shippedOf = (l: LineState) => sum(l.shipped);

/**
 * Statuses in which an order holds, or waits for, stock: allocation runs for them and records what
 * they hold. A partially shipped order still needs its unshipped units, and a shortfall can take them.
 */
export const holdsStock = (status: OrderStatus | 'none'): boolean =>
  status === 'pending' || status === 'confirmed' || status === 'backordered' || status === 'partially_shipped';

export const isFullyReserved = (o: PlacedOrder) => o.lines.every((l) => reservedOf(l) + shippedOf(l) >= l.quantity);
export const isFullyShipped = (o: PlacedOrder) => o.lines.every((l) => shippedOf(l) >= l.quantity);
export const hasShipped = (o: PlacedOrder) => o.lines.some((l) => shippedOf(l) > 0);
export const subtotalOf = (o: Pick<PlacedOrder, 'lines'>) => o.lines.reduce((n, l) => n + l.quantity * l.unitPrice, 0);

export type OrderAction = 'update' | 'cancel' | 'ship';

/** What a client may do next, derived from the state (shown on the order). */
export function allowedActions(o: OrderState): OrderAction[] {
  if (o.status === 'none') return [];
  const canShip = o.lines.some((l) => reservedOf(l) > 0);
  switch (o.status) {
    case 'pending':
      return ['update', 'cancel'];
    case 'confirmed':
      return ['update', 'cancel', 'ship'];
    case 'backordered':
      return canShip ? ['update', 'cancel', 'ship'] : ['update', 'cancel'];
    case 'partially_shipped':
      return canShip ? ['ship'] : [];
    default:
      return [];
  }
}
