import type { InventoryState } from './state.ts';

export interface StockLevel {
  onHand: number;
  reserved: number;
  available: number;
}

export const levelOf = (s: InventoryState): StockLevel => ({
  onHand: s.onHand,
  reserved: s.reserved,
  available: s.onHand - s.reserved,
});

export const reservedFor = (s: InventoryState, orderId: string): number => s.reservations.get(orderId) ?? 0;

/**
 * FIFO: the units an order may reserve now. Available stock first serves the wait-list entries
 * queued ahead of the order (all of them when the order is not queued itself).
 */
export function unitsOrderMayTake(s: InventoryState, orderId: string): number {
  const at = s.waitList.findIndex((b) => b.orderId === orderId);
  const ahead = (at < 0 ? s.waitList : s.waitList.slice(0, at)).reduce((n, b) => n + b.quantity, 0);
  return Math.max(0, levelOf(s).available - ahead);
}

/** What a wait-list drain may reserve now, in queue order (what ReserveStock would grant each). */
export function grantableBackorders(s: InventoryState): { orderId: string; quantity: number }[] {
  let left = levelOf(s).available;
  const grants: { orderId: string; quantity: number }[] = [];
  for (const b of s.waitList) {
    const quantity = Math.min(b.quantity, Math.max(0, left));
    if (quantity > 0) grants.push({ orderId: b.orderId, quantity });
    left -= b.quantity;
  }
  return grants;
}
