import type { Address } from '../../domain/shared/address.ts';
import { paymentStatusOf, totalsOf, type OrderTotals, type PaymentStatus } from '../../domain/orders/money.ts';
import type { HoldReason, PaymentType, Shipping } from '../../domain/orders/events.ts';
import {
  allowedActions,
  isOnHold,
  reservedOf,
  shippedOf,
  withMoneyDefaults,
  type HoldState,
  type OrderAction,
  type PlacedOrder,
} from '../../domain/orders/state.ts';

export interface PaymentView {
  id: string;
  type: PaymentType;
  amount: number;
  reference: string;
  recordedAt: string;
}

export interface RefundView {
  id: string;
  returnId: string | null;
  amount: number;
  reference: string;
  recordedAt: string;
}

export interface HoldView {
  id: string;
  reason: HoldReason;
  note: string | null;
  status: 'open' | 'released';
  placedAt: string;
  releasedAt: string | null;
}

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
    discount: number;
    tax: number;
    reserved: number;
    shipped: number;
  }[];
  totals: OrderTotals & { quantity: number };
  shipping: Shipping;
  shippingAddress: Address;
  paymentStatus: PaymentStatus;
  payments: PaymentView[];
  refunds: RefundView[];
  holds: HoldView[];
  onHold: boolean;
  allowedActions: OrderAction[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const holdView = (h: HoldState): HoldView => ({
  id: h.holdId,
  reason: h.reason,
  note: h.note,
  status: h.releasedAt === null ? 'open' : 'released',
  placedAt: h.placedAt,
  releasedAt: h.releasedAt,
});

export function orderView(folded: PlacedOrder, version: number): OrderView {
  // A read-model row folded before money and holds existed lacks them: they read as 0 and none.
  const o = withMoneyDefaults(folded);
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
      discount: l.discount,
      tax: l.tax,
      reserved: reservedOf(l),
      shipped: shippedOf(l),
    })),
    totals: { ...totalsOf(o), quantity: o.lines.reduce((n, l) => n + l.quantity, 0) },
    shipping: o.shipping,
    shippingAddress: o.shippingAddress,
    paymentStatus: paymentStatusOf(o),
    payments: o.payments.map(({ paymentId, type, amount, reference, recordedAt }) => ({
      id: paymentId,
      type,
      amount,
      reference,
      recordedAt,
    })),
    refunds: o.refunds.map(({ refundId, returnId, amount, reference, recordedAt }) => ({
      id: refundId,
      returnId,
      amount,
      reference,
      recordedAt,
    })),
    holds: o.holds.map(holdView),
    onHold: isOnHold(o),
    allowedActions: allowedActions(o),
    version,
    createdAt: o.placedAt,
    updatedAt: o.updatedAt,
  };
}
