import type { ReservationReleased } from './events.ts';
import type { InventoryState } from './state.ts';

/**
 * Stock leaving (an adjustment or a count) may leave fewer units on hand than are reserved. The
 * newest reservations give way first (the oldest demand keeps its stock), each only as much as
 * needed, until reserved ≤ the new onHand. These releases are decided BEFORE the stock event and
 * emitted ahead of it, so Σ reserved ≤ onHand holds after every single event, not only at the end.
 */
export function shortfallReleases(
  s: InventoryState,
  newOnHand: number,
  where: { sku: string; location: string; now: string },
): ReservationReleased[] {
  let excess = s.reserved - newOnHand;
  let reserved = s.reserved;
  const released: ReservationReleased[] = [];
  for (const [orderId, held] of s.reservations.reverse()) {
    if (excess <= 0) break;
    const quantity = Math.min(held, excess);
    excess -= quantity;
    reserved -= quantity;
    released.push({
      type: 'ReservationReleased',
      data: {
        sku: where.sku,
        location: where.location,
        orderId,
        quantity,
        orderReserved: held - quantity,
        reason: 'stock_shortfall',
        onHandDelta: 0,
        reservedDelta: -quantity,
        onHand: s.onHand,
        reserved,
        occurredAt: where.now,
      },
    });
  }
  return released;
}
