import { DomainError } from './errors.ts';

// The one bound on quantities and the one bound on amounts. Everything the domain accepts fits every
// read-model column (bigint) and every JSON consumer (an exact IEEE-754 double), and so does every
// sum the system computes from it.

/**
 * 10^12 units: the most any quantity may be — a stock level (onHand, reserved), a delta, a count,
 * an order line, a reservation, a shipment, a backorder — and the most an order's lines may add up
 * to. Sums stay exact numbers: 2 × 10^12 while a level moves, and 9,007 such values (locations of a
 * SKU, a page of events) before reaching 2^53 − 1; bigint columns hold 9.2 × 10^18.
 */
export const MAX_QUANTITY = 1_000_000_000_000;

/**
 * 2^53 − 1 minor units: the most a unit price, a line total (quantity × unitPrice) or an order's
 * subtotal may be, so every order total is an exact JSON integer and fits bigint. (Analytics adds
 * many orders' totals up: it sums exactly, with BigInt, into numeric columns.)
 */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

export const quantityOutOfRange = (field: string, value: number) =>
  new DomainError(
    'quantity_out_of_range',
    `${field} would be ${value}: quantities and stock levels may be at most ${MAX_QUANTITY}`,
    'unprocessable',
    { field, value, max: MAX_QUANTITY },
  );

export const amountOutOfRange = (field: string, value: number | bigint) =>
  new DomainError(
    'amount_out_of_range',
    `${field} would be ${value} minor units: amounts may be at most ${MAX_AMOUNT}`,
    'unprocessable',
    // A string: an amount beyond MAX_AMOUNT is no longer exact as a JSON number.
    { field, value: String(value), max: MAX_AMOUNT },
  );

/** Refuses a quantity (or a level, or a delta by its size) beyond MAX_QUANTITY. */
export function assertQuantity(field: string, value: number): void {
  if (Math.abs(value) > MAX_QUANTITY) throw quantityOutOfRange(field, value);
}

/** Refuses order lines whose quantities or amounts go beyond the bounds; computed exactly (BigInt). */
export function assertOrderLines(lines: readonly { sku: string; quantity: number; unitPrice: number }[]): void {
  let units = 0;
  let subtotal = 0n;
  for (const [i, l] of lines.entries()) {
    assertQuantity(`lines[${i}].quantity`, l.quantity);
    units += l.quantity;
    if (l.unitPrice > MAX_AMOUNT) throw amountOutOfRange(`lines[${i}].unitPrice`, l.unitPrice);
    // (The request schemas only let integers through; a fraction here would be a caller's bug.)
    if (!Number.isInteger(l.quantity) || !Number.isInteger(l.unitPrice))
      throw new DomainError(
        'invalid_quantity',
        `lines[${i}]: quantity and unitPrice must be integers`,
        'unprocessable',
      );
    const lineTotal = BigInt(l.quantity) * BigInt(l.unitPrice);
    if (lineTotal > BigInt(MAX_AMOUNT)) throw amountOutOfRange(`lines[${i}].lineTotal`, lineTotal);
    subtotal += lineTotal;
  }
  assertQuantity('totals.quantity', units);
  if (subtotal > BigInt(MAX_AMOUNT)) throw amountOutOfRange('totals.subtotal', subtotal);
}
