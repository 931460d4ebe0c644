// The allocation process manager on the in-memory store, with the stock locations answered from
// the event log (eventLogLocations): reservations, backorders and the FIFO wait list, a second
// location topping up, releases on cancel and on changed lines, and running twice doing nothing.
import { expect } from 'chai';
import { allocateOrder, drainBackorders } from '../../src/orders/allocation.ts';
import { cancelOrder, orderStream, updateOrder } from '../../src/orders/commands.ts';
import { adjustStock } from '../../src/inventory/commands.ts';
import { inventoryStream } from '../../src/inventory/streams.ts';
import { given, NOW, TENANT, type Harness } from '../support/command-spec.ts';
import { order, orderLines, orderPlaced, stock, type Line } from '../support/given-events.ts';

const placed = (orderId: string, lines: Line[]) => order(orderId, orderPlaced(orderId, 'cus_1', lines));
const allocate = (orderId: string) => (h: Harness) => allocateOrder(h.deps, h.ctx, orderId);
const restock =
  (sku: string, delta: number, location = 'default') =>
  (h: Harness) =>
    adjustStock(h.deps, h.ctx, { sku, location, delta, reason: 'received', reference: null });
const inv = (sku: string, location = 'default') => inventoryStream(TENANT, sku, location);

/** Expected inventory events of one SKU × location. */
const at = (sku: string, location = 'default') => {
  const where = { sku, location, occurredAt: NOW };
  return {
    reserved: (orderId: string, quantity: number, after: { onHand: number; reserved: number; requested?: number }) => ({
      type: 'StockReserved',
      data: {
        ...where,
        orderId,
        quantity,
        requested: after.requested ?? quantity,
        orderReserved: quantity,
        reason: 'reservation',
        onHandDelta: 0,
        reservedDelta: quantity,
        onHand: after.onHand,
        reserved: after.reserved,
      },
    }),
    released: (
      orderId: string,
      quantity: number,
      reason: string,
      after: { onHand: number; reserved: number; orderReserved?: number },
    ) => ({
      type: 'ReservationReleased',
      data: {
        ...where,
        orderId,
        quantity,
        orderReserved: after.orderReserved ?? 0,
        reason,
        onHandDelta: 0,
        reservedDelta: -quantity,
        onHand: after.onHand,
        reserved: after.reserved,
      },
    }),
    queued: (orderId: string, quantity: number, position: number) => ({
      type: 'BackorderQueued',
      data: { ...where, orderId, quantity, position },
    }),
    dequeued: (orderId: string, quantity: number, reason: string) => ({
      type: 'BackorderDequeued',
      data: { ...where, orderId, quantity, remaining: 0, reason },
    }),
  };
};
const recorded = (...allocations: [sku: string, location: string, reserved: number][]) => ({
  type: 'OrderAllocationRecorded',
  data: { allocations: allocations.map(([sku, location, reserved]) => ({ sku, location, reserved })), occurredAt: NOW },
});
const confirmed = { type: 'OrderConfirmed', data: { occurredAt: NOW } };

describe('Allocation process manager (memory store)', () => {
  it('given enough stock, when allocated, then every line is reserved and the order confirmed', async () => {
    const outcome = await given(
      placed('ord_1', [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ]),
      stock('A').received(10).history(),
      stock('B').received(5).history(),
    )
      .when(allocate('ord_1'))
      .then({
        [inv('A')]: [at('A').reserved('ord_1', 2, { onHand: 10, reserved: 2 })],
        [inv('B')]: [at('B').reserved('ord_1', 1, { onHand: 5, reserved: 1 })],
        // Each SKU is its own partition: the order learns line by line, and is confirmed when the last is held.
        [orderStream(TENANT, 'ord_1')]: [recorded(['A', 'default', 2]), recorded(['B', 'default', 1]), confirmed],
      });
    expect(outcome).to.equal('confirmed');
  });

  it('given short stock, when allocated, then what there is is reserved, the order backordered and the rest queued', async () => {
    const outcome = await given(placed('ord_1', [{ sku: 'A', quantity: 3 }]), stock('A').received(1).history())
      .when(allocate('ord_1'))
      .then({
        [inv('A')]: [
          at('A').reserved('ord_1', 1, { onHand: 1, reserved: 1, requested: 3 }),
          at('A').queued('ord_1', 2, 1),
        ],
        [orderStream(TENANT, 'ord_1')]: [
          recorded(['A', 'default', 1]),
          { type: 'OrderBackordered', data: { shortages: [{ sku: 'A', quantity: 2 }], occurredAt: NOW } },
        ],
      });
    expect(outcome).to.equal('backordered');
  });

  it('given an allocated order, when allocated again (a retried job), then nothing happens', () =>
    given(placed('ord_1', [{ sku: 'A', quantity: 2 }]), stock('A').received(5).history())
      .and(allocate('ord_1'))
      .when(allocate('ord_1'))
      .thenNothingHappens());

  it('given two orders waiting in turn, when one unit is restocked and the wait list drained, then the oldest is confirmed and only it', async () => {
    const confirmedCount = await given(
      placed('ord_0', [{ sku: 'A', quantity: 1 }]),
      placed('ord_1', [{ sku: 'A', quantity: 1 }]),
      placed('ord_2', [{ sku: 'A', quantity: 1 }]),
      stock('A').received(1).history(),
    )
      .and(allocate('ord_0'))
      .and(allocate('ord_1'))
      .and(allocate('ord_2'))
      .and(restock('A', 1))
      .when((h) => drainBackorders(h.deps, h.ctx, 'A', 'default'))
      .then({
        [inv('A')]: [
          at('A').reserved('ord_1', 1, { onHand: 2, reserved: 2 }),
          at('A').dequeued('ord_1', 1, 'reserved'),
        ],
        [orderStream(TENANT, 'ord_1')]: [recorded(['A', 'default', 1]), confirmed],
      });
    expect(confirmedCount).to.equal(1);
  });

  it('given too little at the default location, when allocated, then another location with stock tops it up', () =>
    given(
      placed('ord_1', [{ sku: 'A', quantity: 4 }]),
      stock('A').received(2).history(),
      stock('A', 'east').received(5).history(),
    )
      .when(allocate('ord_1'))
      .then({
        [inv('A')]: [at('A').reserved('ord_1', 2, { onHand: 2, reserved: 2, requested: 4 })],
        [inv('A', 'east')]: [at('A', 'east').reserved('ord_1', 2, { onHand: 5, reserved: 2 })],
        [orderStream(TENANT, 'ord_1')]: [recorded(['A', 'default', 2], ['A', 'east', 2]), confirmed],
      }));

  it('given an order holding stock at two locations, when cancelled and allocated, then everything is given back', async () => {
    const outcome = await given(
      placed('ord_1', [{ sku: 'A', quantity: 4 }]),
      stock('A').received(2).history(),
      stock('A', 'east').received(5).history(),
    )
      .and(allocate('ord_1'))
      .and((h) => cancelOrder(h.deps, h.ctx, { orderId: 'ord_1', reason: 'changed my mind' }))
      .when(allocate('ord_1'))
      .then({
        [inv('A')]: [at('A').released('ord_1', 2, 'order_cancelled', { onHand: 2, reserved: 0 })],
        [inv('A', 'east')]: [at('A', 'east').released('ord_1', 2, 'order_cancelled', { onHand: 5, reserved: 0 })],
      });
    expect(outcome).to.equal('released');
  });

  it('given a backordered order, when cancelled and allocated, then its reservation is released and it leaves the wait list', () =>
    given(placed('ord_1', [{ sku: 'A', quantity: 3 }]), stock('A').received(1).history())
      .and(allocate('ord_1'))
      .and((h) => cancelOrder(h.deps, h.ctx, { orderId: 'ord_1', reason: 'too slow' }))
      .when(allocate('ord_1'))
      .then({
        [inv('A')]: [
          at('A').released('ord_1', 1, 'order_cancelled', { onHand: 1, reserved: 0 }),
          at('A').dequeued('ord_1', 2, 'order_cancelled'),
        ],
      }));

  it('given an order holding 4 at two locations, when its line shrinks to 1, then the newest location gives back first', () =>
    given(
      placed('ord_1', [{ sku: 'A', quantity: 4 }]),
      stock('A').received(2).history(),
      stock('A', 'east').received(5).history(),
    )
      .and(allocate('ord_1'))
      .and((h) => updateOrder(h.deps, h.ctx, { orderId: 'ord_1', lines: orderLines([{ sku: 'A', quantity: 1 }]) }))
      .when(allocate('ord_1'))
      .then({
        [inv('A', 'east')]: [at('A', 'east').released('ord_1', 2, 'lines_changed', { onHand: 5, reserved: 0 })],
        [inv('A')]: [at('A').released('ord_1', 1, 'lines_changed', { onHand: 2, reserved: 1, orderReserved: 1 })],
        // OrderUpdated already counted the releases: the order only learns it holds enough again.
        [orderStream(TENANT, 'ord_1')]: [confirmed],
      }));

  it('given a line removed from a confirmed order, when allocated, then that SKU is given back', () =>
    given(
      placed('ord_1', [
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 1 },
      ]),
      stock('A').received(1).history(),
      stock('B').received(1).history(),
    )
      .and(allocate('ord_1'))
      .and((h) => updateOrder(h.deps, h.ctx, { orderId: 'ord_1', lines: orderLines([{ sku: 'A', quantity: 1 }]) }))
      .when(allocate('ord_1'))
      .then({
        [inv('B')]: [at('B').released('ord_1', 1, 'lines_changed', { onHand: 1, reserved: 0 })],
        [orderStream(TENANT, 'ord_1')]: [confirmed],
      }));
});
