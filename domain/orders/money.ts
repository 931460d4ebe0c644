import { DomainError } from '../shared/errors.ts';
import { amountOutOfRange, MAX_AMOUNT } from '../shared/limits.ts';
import type { Shipping } from './events.ts';
import type { PlacedOrder } from './state.ts';

// An order's money, exact in minor units of its currency:
//   total = Σ(quantity × unitPrice) − Σdiscount + Σtax + shipping
// and what the payment provider reported about it (authorizations, captures, voids) and what was
// refunded. Every amount and every total stays ≤ MAX_AMOUNT (an exact JSON integer, fits bigint).

export interface OrderTotals {
  subtotal: number;
  discount: number;
  tax: number;
  shipping: number;
  total: number;
  refunded: number;
}

export type PaymentStatus = 'unpaid' | 'authorized' | 'paid' | 'partially_refunded' | 'refunded' | 'voided';

type MoneyLine = { quantity: number; unitPrice: number; discount?: number; tax?: number };

export const discountExceedsLineTotal = (index: number, sku: string, discount: number, lineTotal: number) =>
  new DomainError(
    'discount_exceeds_line_total',
    `lines[${index}] (${sku}): a discount of ${discount} is more than the line's ${lineTotal} (quantity × unitPrice)`,
    'unprocessable',
    { sku, discount, lineTotal },
  );

export const invalidAmount = (field: string, value: number) =>
  new DomainError('invalid_amount', `${field} must be a whole number of minor units, at least 1`, 'unprocessable', {
    field,
    value,
  });

/** The sums, exact (BigInt), before they are checked against MAX_AMOUNT. */
function sums(lines: readonly MoneyLine[], shipping: number) {
  let subtotal = 0n;
  let discount = 0n;
  let tax = 0n;
  for (const l of lines) {
    subtotal += BigInt(l.quantity) * BigInt(l.unitPrice);
    discount += BigInt(l.discount ?? 0);
    tax += BigInt(l.tax ?? 0);
  }
  return { subtotal, discount, tax, shipping: BigInt(shipping), total: subtotal - discount + tax + BigInt(shipping) };
}

/**
 * Refuses a line discount beyond the line's quantity × unitPrice (422 discount_exceeds_line_total), and
 * amounts or totals beyond MAX_AMOUNT (422 amount_out_of_range). The line bounds themselves (quantity,
 * unitPrice, subtotal) are assertOrderLines' (domain/shared/limits.ts).
 */
export function assertOrderMoney(
  lines: readonly (MoneyLine & { sku: string })[],
  shipping: Shipping | undefined,
): void {
  for (const [i, l] of lines.entries()) {
    for (const field of ['discount', 'tax'] as const) {
      const v = l[field] ?? 0;
      if (!Number.isInteger(v) || v < 0)
        throw new DomainError('invalid_amount', `lines[${i}].${field} must be a whole number ≥ 0`, 'unprocessable', {
          field: `lines[${i}].${field}`,
          value: v,
        });
      if (v > MAX_AMOUNT) throw amountOutOfRange(`lines[${i}].${field}`, v);
    }
    const lineTotal = BigInt(l.quantity) * BigInt(l.unitPrice);
    if (BigInt(l.discount ?? 0) > lineTotal)
      throw discountExceedsLineTotal(i, l.sku, l.discount ?? 0, Number(lineTotal));
  }
  const amount = shipping?.amount ?? 0;
  if (!Number.isInteger(amount) || amount < 0)
    throw new DomainError('invalid_amount', 'shipping.amount must be a whole number ≥ 0', 'unprocessable', {
      field: 'shipping.amount',
      value: amount,
    });
  if (amount > MAX_AMOUNT) throw amountOutOfRange('shipping.amount', amount);
  const s = sums(lines, amount);
  if (s.tax > BigInt(MAX_AMOUNT)) throw amountOutOfRange('totals.tax', s.tax);
  if (s.total > BigInt(MAX_AMOUNT)) throw amountOutOfRange('totals.total', s.total);
}

/** Refuses a payment or refund amount that is not a whole number in 1 … MAX_AMOUNT (422). */
export function assertPaymentAmount(field: string, amount: number): void {
  if (!Number.isInteger(amount) || amount < 1) throw invalidAmount(field, amount);
  if (amount > MAX_AMOUNT) throw amountOutOfRange(field, amount);
}

export function totalsOf(o: {
  lines: readonly MoneyLine[];
  shipping?: Shipping;
  refunds?: readonly { amount: number }[];
}): OrderTotals {
  const s = sums(o.lines, o.shipping?.amount ?? 0);
  return {
    subtotal: Number(s.subtotal),
    discount: Number(s.discount),
    tax: Number(s.tax),
    shipping: Number(s.shipping),
    total: Number(s.total),
    refunded: (o.refunds ?? []).reduce((n, r) => n + r.amount, 0),
  };
}

/** What the provider reported, added up per kind, and what was refunded. */
export function paymentAmounts(o: Pick<PlacedOrder, 'payments' | 'refunds'>) {
  const of = (type: string) => (o.payments ?? []).filter((p) => p.type === type).reduce((n, p) => n + p.amount, 0);
  return {
    authorized: of('authorized'),
    captured: of('captured'),
    voided: of('voided'),
    refunded: (o.refunds ?? []).reduce((n, r) => n + r.amount, 0),
  };
}

/**
 * refunds first (some or all of what was captured given back), then captures (paid once they cover
 * the total; a part captured still counts as authorized: a capture implies its authorization), then
 * an authorization not voided, then a void, else unpaid.
 */
export function paymentStatusOf(o: Pick<PlacedOrder, 'lines' | 'shipping' | 'payments' | 'refunds'>): PaymentStatus {
  const m = paymentAmounts(o);
  if (m.refunded > 0) return m.refunded >= m.captured ? 'refunded' : 'partially_refunded';
  if (m.captured > 0) return m.captured >= totalsOf(o).total ? 'paid' : 'authorized';
  if (m.authorized - m.voided > 0) return 'authorized';
  if (m.voided > 0) return 'voided';
  return 'unpaid';
}
