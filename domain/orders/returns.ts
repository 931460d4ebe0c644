// What an order knows of its returns (the returns themselves are domain/returns): which shipped
// units are claimed by a return that was not rejected, which came back, and the status that follows.
import type { ShipmentLine } from './events.ts';
import { holdsStock, type OrderStatus, type PlacedOrder, shippedOf } from './state.ts';

const unitsOf = (lines: readonly ShipmentLine[], sku: string) =>
  lines.reduce((n, l) => (l.sku === sku ? n + l.quantity : n), 0);

const activeReturns = (o: PlacedOrder) => Object.values(o.returns ?? {}).filter((r) => r.status === 'open');

/** Units of the SKU claimed by returns that were not rejected (requested, approved or received). */
export const claimedOf = (o: PlacedOrder, sku: string) =>
  activeReturns(o).reduce((n, r) => n + unitsOf(r.lines, sku), 0);

/** Units of the SKU received back so far. */
export const receivedBackOf = (o: PlacedOrder, sku: string) =>
  activeReturns(o).reduce((n, r) => n + unitsOf(r.received, sku), 0);

/** Units of the SKU a new return may still claim: shipped minus already claimed. */
export function returnableOf(o: PlacedOrder, sku: string): number {
  const line = o.lines.find((l) => l.sku === sku);
  return line ? Math.max(0, shippedOf(line) - claimedOf(o, sku)) : 0;
}

/**
 * The status once units came back: an order that no longer waits for stock (shipped, delivered)
 * becomes `returned` when every unit came back, else `partially_returned`. An order still waiting
 * for stock (partially shipped) keeps its status, so allocation keeps serving it.
 */
export function withReturns(o: PlacedOrder, status: OrderStatus): OrderStatus {
  if (holdsStock(status) || status === 'cancelled') return status;
  const back = o.lines.reduce((n, l) => n + receivedBackOf(o, l.sku), 0);
  if (back === 0) return status;
  return o.lines.every((l) => receivedBackOf(o, l.sku) >= l.quantity) ? 'returned' : 'partially_returned';
}
