import type { Address } from '../../domain/shared/address.ts';
import {
  allowedActions,
  cancelledOf,
  reservedOf,
  shippedOf,
  subtotalOf,
  type OrderAction,
  type PlacedOrder,
} from '../../domain/orders/state.ts';

/** The order as the API shows it. */
export interface OrderView {
  id: string;
  status: PlacedOrder['status'];
  customerId: string;
  currency: string;
  externalId: string | null;
  notes: string | null;
  lines: {
    sku: string;
    quantity: number;
    unitPrice: number;
    lineTotal: number;
    reserved: number;
    shipped: number;
    cancelled: number;
  }[];
  totals: { subtotal: number; total: number; quantity: number };
  shippingAddress: Address;
  allowedActions: OrderAction[];
  preferredLocations: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function orderView(o: PlacedOrder, version: number): OrderView {
  const subtotal = subtotalOf(o);
  return {
    id: o.orderId,
    status: o.status,
    customerId: o.customerId,
    currency: o.currency,
    externalId: o.externalId,
    notes: o.notes,
    lines: o.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      lineTotal: l.quantity * l.unitPrice,
      reserved: reservedOf(l),
      shipped: shippedOf(l),
      cancelled: cancelledOf(l),
    })),
    // No taxes or shipping charges are modelled yet: the total is the subtotal.
    totals: { subtotal, total: subtotal, quantity: o.lines.reduce((n, l) => n + l.quantity, 0) },
    shippingAddress: o.shippingAddress,
    allowedActions: allowedActions(o),
    preferredLocations: o.preferredLocations ?? [],
    version,
    createdAt: o.placedAt,
    updatedAt: o.updatedAt,
  };
}
