// The pure batch decision (domain/inventory/batch.ts) with the caller's draw rules: the order of
// `stock` is the order tried, the wait list stays where `queueAt` says, inactive locations only give back.
import { expect } from 'chai';
import { decidePartition, type StockAt } from '../../domain/inventory/batch.ts';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { InventoryState } from '../../domain/inventory/state.ts';

const now = '2026-12-03T10:00:00.000Z';
const stocked = (location: string, onHand: number, reservedFor: Record<string, number> = {}): StockAt => {
  let state: InventoryState = inventoryDecider.initialState();
  const run = (command: Parameters<typeof inventoryDecider.decide>[0]) => {
    for (const e of inventoryDecider.decide(command, state)) state = inventoryDecider.evolve(state, e);
  };
  const at = { sku: 'A', location, now };
  if (onHand > 0) run({ type: 'AdjustStock', data: { ...at, delta: onHand, reason: 'received', reference: null } });
  for (const [orderId, quantity] of Object.entries(reservedFor))
    run({ type: 'ReserveStock', data: { ...at, orderId, quantity } });
  return { location, state };
};
const holding = (d: ReturnType<typeof decidePartition>, orderId: string) =>
  Object.fromEntries([...d.holdings.get(orderId)!.reserved].filter(([, n]) => n > 0));

describe('Allocation batch decision: draw order, preferred locations, inactive locations', () => {
  it('given stock in draw order, when an order is short, then it takes in that order, never from the inactive one, and waits at queueAt', () => {
    const d = decidePartition(
      'A',
      [stocked('east', 2), stocked('default', 2), stocked('west', 10)],
      [{ orderId: 'ord_1', target: 5, releaseReason: 'lines_changed' }],
      now,
      { queueAt: 'default', inactive: ['west'] },
    );
    expect(holding(d, 'ord_1')).to.deep.equal({ east: 2, default: 2 });
    expect(d.holdings.get('ord_1')!.short).to.equal(1);
    expect(d.states.get('default')!.waitList).to.deep.include({ orderId: 'ord_1', quantity: 1 });
    expect(d.events.has('west')).to.equal(false);
  });

  it("given preferred locations, when served, then those come first in the order's order (inactive ones skipped)", () => {
    const d = decidePartition(
      'A',
      [stocked('east', 3), stocked('default', 3), stocked('west', 3)],
      [{ orderId: 'ord_1', target: 4, releaseReason: 'lines_changed', preferred: ['west', 'default'] }],
      now,
      { queueAt: 'default', inactive: ['west'] },
    );
    expect(holding(d, 'ord_1')).to.deep.equal({ default: 3, east: 1 });
  });

  it('given a reservation at an inactive location, when the order no longer needs it, then it is released there', () => {
    const d = decidePartition(
      'A',
      [stocked('default', 0), stocked('west', 3, { ord_1: 2 })],
      [{ orderId: 'ord_1', target: 0, releaseReason: 'lines_changed' }],
      now,
      { queueAt: 'default', inactive: ['west'] },
    );
    expect(d.events.get('west')!.map((e) => e.type)).to.deep.equal(['ReservationReleased']);
    expect(holding(d, 'ord_1')).to.deep.equal({});
  });

  it('given a reservation at an inactive location, when the order still needs it, then it keeps it and takes the rest elsewhere', () => {
    const d = decidePartition(
      'A',
      [stocked('default', 5), stocked('west', 3, { ord_1: 2 })],
      [{ orderId: 'ord_1', target: 3, releaseReason: 'lines_changed' }],
      now,
      { queueAt: 'default', inactive: ['west'] },
    );
    expect(holding(d, 'ord_1')).to.deep.equal({ west: 2, default: 1 });
  });
});
