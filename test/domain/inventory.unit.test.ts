import { expect } from 'chai';
import type { InventoryCommand } from '../../domain/inventory/commands.ts';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { InventoryEvent, ReleaseReason } from '../../domain/inventory/events.ts';
import { grantableBackorders, levelOf, unitsOrderMayTake } from '../../domain/inventory/level.ts';
import type { InventoryState } from '../../domain/inventory/state.ts';
import { fold } from '../../domain/shared/decider.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(inventoryDecider);
const now = '2026-11-28T10:00:00.000Z';
const at = { sku: 'SKU-1', location: 'default', occurredAt: now };
const cmd = (type: InventoryCommand['type'], data: object) =>
  ({ type, data: { sku: 'SKU-1', location: 'default', now, ...data } }) as InventoryCommand;
const stateOf = (events: InventoryEvent[]) => fold(inventoryDecider, events);

// Event builders: levels are the values AFTER the event.
const adjusted = (
  delta: number,
  onHand: number,
  reserved = 0,
  reason: 'received' | 'damaged' | 'lost' = 'received',
  reference: string | null = null,
): InventoryEvent => ({
  type: 'StockAdjusted',
  data: { ...at, delta, reason, reference, onHandDelta: delta, reservedDelta: 0, onHand, reserved },
});
const reservedEv = (
  orderId: string,
  quantity: number,
  onHand: number,
  reserved: number,
  orderReserved = quantity,
  requested = quantity,
): InventoryEvent => ({
  type: 'StockReserved',
  data: {
    ...at,
    orderId,
    quantity,
    requested,
    orderReserved,
    reason: 'reservation',
    onHandDelta: 0,
    reservedDelta: quantity,
    onHand,
    reserved,
  },
});
const released = (
  orderId: string,
  quantity: number,
  reason: ReleaseReason,
  onHand: number,
  reserved: number,
  orderReserved = 0,
): InventoryEvent => ({
  type: 'ReservationReleased',
  data: { ...at, orderId, quantity, orderReserved, reason, onHandDelta: 0, reservedDelta: -quantity, onHand, reserved },
});
const queued = (orderId: string, quantity: number, position: number): InventoryEvent => ({
  type: 'BackorderQueued',
  data: { ...at, orderId, quantity, position },
});
const dequeued = (
  orderId: string,
  quantity: number,
  remaining: number,
  reason: 'reserved' | 'order_cancelled' | 'lines_changed' | 'allocated_elsewhere',
): InventoryEvent => ({
  type: 'BackorderDequeued',
  data: { ...at, orderId, quantity, remaining, reason },
});
const shipped = (
  orderId: string,
  shipmentId: string,
  quantity: number,
  onHand: number,
  reserved: number,
  orderReserved: number,
): InventoryEvent => ({
  type: 'StockShipped',
  data: {
    ...at,
    orderId,
    shipmentId,
    quantity,
    orderReserved,
    reason: 'shipment',
    onHandDelta: -quantity,
    reservedDelta: -quantity,
    onHand,
    reserved,
  },
});

describe('Inventory decider (one SKU × location)', () => {
  describe('AdjustStock', () => {
    it('given nothing, when 10 are received with a reference, then StockAdjusted with the level after', () =>
      spec
        .given([])
        .when(cmd('AdjustStock', { delta: 10, reason: 'received', reference: 'po-1' }))
        .then([adjusted(10, 10, 0, 'received', 'po-1')]));

    it('given stock, when adjusted without a reference, then reference is null', () =>
      spec
        .given([adjusted(10, 10)])
        .when(cmd('AdjustStock', { delta: -2, reason: 'damaged' }))
        .then([adjusted(-2, 8, 0, 'damaged')]));

    it('given 3 on hand, when 5 are lost, then refused insufficient_stock', () =>
      spec
        .given([adjusted(3, 3)])
        .when(cmd('AdjustStock', { delta: -5, reason: 'lost' }))
        .thenRefuses('insufficient_stock'));

    it('given 3 on hand, when all 3 are lost, then onHand 0 is fine', () =>
      spec
        .given([adjusted(3, 3)])
        .when(cmd('AdjustStock', { delta: -3, reason: 'lost' }))
        .then([adjusted(-3, 0, 0, 'lost')]));

    it('when the delta is 0 or not an integer, then refused invalid_quantity', () => {
      spec
        .given([])
        .when(cmd('AdjustStock', { delta: 0, reason: 'found' }))
        .thenRefuses('invalid_quantity');
      spec
        .given([])
        .when(cmd('AdjustStock', { delta: 1.5, reason: 'found' }))
        .thenRefuses('invalid_quantity');
    });

    describe('the reason fixes the sign of the delta', () => {
      for (const reason of ['received', 'returned', 'found'] as const) {
        it(`given 10 on hand, when ${reason} with a positive delta, then StockAdjusted`, () =>
          spec
            .given([adjusted(10, 10)])
            .when(cmd('AdjustStock', { delta: 2, reason }))
            .then([
              {
                type: 'StockAdjusted',
                data: {
                  ...at,
                  delta: 2,
                  reason,
                  reference: null,
                  onHandDelta: 2,
                  reservedDelta: 0,
                  onHand: 12,
                  reserved: 0,
                },
              },
            ]));
        it(`given 10 on hand, when ${reason} with a negative delta, then refused reason_sign_mismatch`, () =>
          spec
            .given([adjusted(10, 10)])
            .when(cmd('AdjustStock', { delta: -2, reason }))
            .thenRefuses('reason_sign_mismatch'));
      }
      for (const reason of ['damaged', 'lost'] as const) {
        it(`given 10 on hand, when ${reason} with a positive delta, then refused reason_sign_mismatch`, () =>
          spec
            .given([adjusted(10, 10)])
            .when(cmd('AdjustStock', { delta: 2, reason }))
            .thenRefuses('reason_sign_mismatch'));
      }
      it('given 10 on hand, when a correction goes either way, then StockAdjusted', () => {
        for (const delta of [3, -3]) {
          spec
            .given([adjusted(10, 10)])
            .when(cmd('AdjustStock', { delta, reason: 'correction' }))
            .then([
              {
                type: 'StockAdjusted',
                data: {
                  ...at,
                  delta,
                  reason: 'correction',
                  reference: null,
                  onHandDelta: delta,
                  reservedDelta: 0,
                  onHand: 10 + delta,
                  reserved: 0,
                },
              },
            ]);
        }
      });
      it('the refusal is a 422 (unprocessable) naming the reason and the delta', () => {
        let caught: unknown;
        try {
          inventoryDecider.decide(cmd('AdjustStock', { delta: 4, reason: 'damaged' }), stateOf([adjusted(10, 10)]));
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(DomainError);
        expect(caught).to.include({ code: 'reason_sign_mismatch', kind: 'unprocessable' });
        expect((caught as DomainError).details).to.deep.equal({ reason: 'damaged', delta: 4, expected: 'negative' });
      });
    });

    it('given 10 on hand, 8 reserved by three orders, when 5 are damaged, then the NEWEST reservations give way first, only as far as needed, before the adjustment', () =>
      spec
        .given([
          adjusted(10, 10),
          reservedEv('ord_a', 3, 10, 3),
          reservedEv('ord_b', 3, 10, 6),
          reservedEv('ord_c', 2, 10, 8),
        ])
        .when(cmd('AdjustStock', { delta: -5, reason: 'damaged' }))
        .then([
          released('ord_c', 2, 'stock_shortfall', 10, 6),
          released('ord_b', 1, 'stock_shortfall', 10, 5, 2),
          adjusted(-5, 5, 5, 'damaged'),
        ]));

    it('a reservation topped up later keeps its age (the order it was first made in)', () =>
      spec
        .given([
          adjusted(10, 10),
          reservedEv('ord_a', 2, 10, 2),
          reservedEv('ord_b', 2, 10, 4),
          reservedEv('ord_a', 2, 10, 6, 4),
        ])
        .when(cmd('AdjustStock', { delta: -5, reason: 'lost' }))
        .then([released('ord_b', 1, 'stock_shortfall', 10, 5, 1), adjusted(-5, 5, 5, 'lost')]));
  });

  describe('CountStock', () => {
    const counted = (previousOnHand: number, onHand: number, reserved = 0): InventoryEvent => ({
      type: 'StockCounted',
      data: {
        ...at,
        reason: 'cycle_count',
        previousOnHand,
        delta: onHand - previousOnHand,
        onHandDelta: onHand - previousOnHand,
        reservedDelta: 0,
        onHand,
        reserved,
      },
    });

    it('given 5 on hand, when counted at 7, then StockCounted with the delta', () =>
      spec
        .given([adjusted(5, 5)])
        .when(cmd('CountStock', { onHand: 7, reason: 'cycle_count' }))
        .then([counted(5, 7)]));

    it('given 5 on hand, when counted at 5, then an auditable StockCounted with delta 0', () =>
      spec
        .given([adjusted(5, 5)])
        .when(cmd('CountStock', { onHand: 5, reason: 'cycle_count' }))
        .then([counted(5, 5)]));

    it('given 4 of 5 reserved, when counted at 1, then shortfall releases (newest first) keep reserved ≤ onHand', () =>
      spec
        .given([adjusted(5, 5), reservedEv('ord_a', 1, 5, 1), reservedEv('ord_b', 3, 5, 4)])
        .when(cmd('CountStock', { onHand: 1, reason: 'cycle_count' }))
        .then([released('ord_b', 3, 'stock_shortfall', 5, 1), counted(5, 1, 1)]));

    it('given a reservation, when counted at 0, then every reservation is released', () =>
      spec
        .given([adjusted(5, 5), reservedEv('ord_a', 2, 5, 2), reservedEv('ord_b', 1, 5, 3)])
        .when(cmd('CountStock', { onHand: 0, reason: 'cycle_count' }))
        .then([
          released('ord_b', 1, 'stock_shortfall', 5, 2),
          released('ord_a', 2, 'stock_shortfall', 5, 0),
          counted(5, 0),
        ]));

    it('when counted below 0, then refused invalid_quantity', () =>
      spec
        .given([])
        .when(cmd('CountStock', { onHand: -1, reason: 'cycle_count' }))
        .thenRefuses('invalid_quantity'));
  });

  describe('ReserveStock', () => {
    it('given 5 available, when an order asks for 3, then 3 are reserved', () =>
      spec
        .given([adjusted(5, 5)])
        .when(cmd('ReserveStock', { orderId: 'ord_a', quantity: 3 }))
        .then([reservedEv('ord_a', 3, 5, 3)]));

    it('given 2 available, when an order asks for 3, then the 2 available are granted', () =>
      spec
        .given([adjusted(2, 2)])
        .when(cmd('ReserveStock', { orderId: 'ord_a', quantity: 3 }))
        .then([reservedEv('ord_a', 2, 2, 2, 2, 3)]));

    it('given a reservation, when the same order reserves more, then it adds to it', () =>
      spec
        .given([adjusted(5, 5), reservedEv('ord_a', 2, 5, 2)])
        .when(cmd('ReserveStock', { orderId: 'ord_a', quantity: 2 }))
        .then([reservedEv('ord_a', 2, 5, 4, 4)]));

    it('given nothing available, when reserved, then nothing happens (granted 0)', () =>
      spec
        .given([adjusted(2, 2), reservedEv('ord_a', 2, 2, 2)])
        .when(cmd('ReserveStock', { orderId: 'ord_b', quantity: 1 }))
        .thenNothingHappens());

    it('when the quantity is below 1, then refused invalid_quantity', () =>
      spec
        .given([adjusted(2, 2)])
        .when(cmd('ReserveStock', { orderId: 'ord_a', quantity: 0 }))
        .thenRefuses('invalid_quantity'));

    it('FIFO: given 3 queued and 4 available, when an unqueued order reserves, then it only gets what the whole queue does not need', () =>
      spec
        .given([queued('ord_old', 3, 1), adjusted(4, 4)])
        .when(cmd('ReserveStock', { orderId: 'ord_new', quantity: 5 }))
        .then([reservedEv('ord_new', 1, 4, 1, 1, 5)]));

    it('FIFO: given an older backorder waiting for the only unit, when a newer order reserves, then nothing happens', () =>
      spec
        .given([queued('ord_old', 1, 1), adjusted(1, 1)])
        .when(cmd('ReserveStock', { orderId: 'ord_new', quantity: 1 }))
        .thenNothingHappens());

    it('FIFO: given two queued orders and one unit, the second gets nothing; the first gets the unit and leaves the queue', () => {
      const given = [queued('ord_1', 1, 1), queued('ord_2', 1, 2), adjusted(1, 1)];
      spec
        .given(given)
        .when(cmd('ReserveStock', { orderId: 'ord_2', quantity: 1 }))
        .thenNothingHappens();
      spec
        .given(given)
        .when(cmd('ReserveStock', { orderId: 'ord_1', quantity: 1 }))
        .then([reservedEv('ord_1', 1, 1, 1), dequeued('ord_1', 1, 0, 'reserved')]);
    });

    it('FIFO: a queued order may take what is left after the entries AHEAD of it only', () => {
      const given = [queued('ord_1', 2, 1), queued('ord_2', 2, 2), queued('ord_3', 2, 3), adjusted(5, 5)];
      spec
        .given(given)
        .when(cmd('ReserveStock', { orderId: 'ord_2', quantity: 2 }))
        .then([reservedEv('ord_2', 2, 5, 2), dequeued('ord_2', 2, 0, 'reserved')]);
      spec
        .given(given)
        .when(cmd('ReserveStock', { orderId: 'ord_3', quantity: 2 }))
        .then([reservedEv('ord_3', 1, 5, 1, 1, 2), dequeued('ord_3', 1, 1, 'reserved')]);
    });

    it('a partial grant to a queued order shrinks its entry, which keeps its place', () => {
      const events = [queued('ord_1', 3, 1), queued('ord_2', 1, 2), adjusted(1, 1)];
      spec
        .given(events)
        .when(cmd('ReserveStock', { orderId: 'ord_1', quantity: 3 }))
        .then([reservedEv('ord_1', 1, 1, 1, 1, 3), dequeued('ord_1', 1, 2, 'reserved')]);
      const s = stateOf([...events, reservedEv('ord_1', 1, 1, 1, 1, 3), dequeued('ord_1', 1, 2, 'reserved')]);
      expect(s.waitList).to.deep.equal([
        { orderId: 'ord_1', quantity: 2 },
        { orderId: 'ord_2', quantity: 1 },
      ]);
    });
  });

  describe('QueueBackorder', () => {
    it('given an empty queue, when queued, then BackorderQueued at position 1; a second order goes behind it', () => {
      spec
        .given([])
        .when(cmd('QueueBackorder', { orderId: 'ord_a', quantity: 2 }))
        .then([queued('ord_a', 2, 1)]);
      spec
        .given([queued('ord_a', 2, 1)])
        .when(cmd('QueueBackorder', { orderId: 'ord_b', quantity: 1 }))
        .then([queued('ord_b', 1, 2)]);
    });

    it('given a queued order, when re-queued with the same quantity, then nothing happens (idempotent)', () =>
      spec
        .given([queued('ord_a', 2, 1)])
        .when(cmd('QueueBackorder', { orderId: 'ord_a', quantity: 2 }))
        .thenNothingHappens());

    it('given a queued order, when re-queued with another quantity, then BackorderUpdated and it keeps its place', () => {
      const given = [queued('ord_a', 2, 1), queued('ord_b', 1, 2)];
      const update: InventoryEvent = {
        type: 'BackorderUpdated',
        data: { ...at, orderId: 'ord_a', quantity: 5, previousQuantity: 2 },
      };
      spec
        .given(given)
        .when(cmd('QueueBackorder', { orderId: 'ord_a', quantity: 5 }))
        .then([update]);
      expect(stateOf([...given, update]).waitList.map((b) => [b.orderId, b.quantity])).to.deep.equal([
        ['ord_a', 5],
        ['ord_b', 1],
      ]);
    });

    it('when the quantity is below 1, then refused invalid_quantity', () =>
      spec
        .given([])
        .when(cmd('QueueBackorder', { orderId: 'ord_a', quantity: 0 }))
        .thenRefuses('invalid_quantity'));
  });

  describe('DequeueBackorder', () => {
    it('given a queued order, when dequeued, then BackorderDequeued with nothing remaining', () =>
      spec
        .given([queued('ord_a', 2, 1)])
        .when(cmd('DequeueBackorder', { orderId: 'ord_a', reason: 'allocated_elsewhere' }))
        .then([dequeued('ord_a', 2, 0, 'allocated_elsewhere')]));

    it('given an order not queued, when dequeued, then nothing happens', () =>
      spec
        .given([queued('ord_a', 2, 1)])
        .when(cmd('DequeueBackorder', { orderId: 'ord_b', reason: 'order_cancelled' }))
        .thenNothingHappens());
  });

  describe('ReleaseReservation', () => {
    const held = [adjusted(5, 5), reservedEv('ord_a', 3, 5, 3)];

    it('without a quantity, releases all the order holds', () =>
      spec
        .given(held)
        .when(cmd('ReleaseReservation', { orderId: 'ord_a', reason: 'manual' }))
        .then([released('ord_a', 3, 'manual', 5, 0)]));

    it('with a quantity, releases part of it', () =>
      spec
        .given(held)
        .when(cmd('ReleaseReservation', { orderId: 'ord_a', quantity: 1, reason: 'lines_changed' }))
        .then([released('ord_a', 1, 'lines_changed', 5, 2, 2)]));

    it('with more than held, releases what is held', () =>
      spec
        .given(held)
        .when(cmd('ReleaseReservation', { orderId: 'ord_a', quantity: 9, reason: 'allocation_rejected' }))
        .then([released('ord_a', 3, 'allocation_rejected', 5, 0)]));

    it('given nothing reserved for the order, then nothing happens', () =>
      spec
        .given(held)
        .when(cmd('ReleaseReservation', { orderId: 'ord_b', reason: 'order_cancelled' }))
        .thenNothingHappens());

    it('for order_cancelled and lines_changed, the order also leaves the wait list', () => {
      const given = [
        queued('ord_a', 4, 1),
        adjusted(1, 1),
        reservedEv('ord_a', 1, 1, 1),
        dequeued('ord_a', 1, 3, 'reserved'),
      ];
      for (const reason of ['order_cancelled', 'lines_changed'] as const) {
        spec
          .given(given)
          .when(cmd('ReleaseReservation', { orderId: 'ord_a', reason }))
          .then([released('ord_a', 1, reason, 1, 0), dequeued('ord_a', 3, 0, reason)]);
      }
    });

    it('given a queued order with nothing reserved, when released for a cancel, then only BackorderDequeued', () =>
      spec
        .given([queued('ord_a', 2, 1)])
        .when(cmd('ReleaseReservation', { orderId: 'ord_a', reason: 'order_cancelled' }))
        .then([dequeued('ord_a', 2, 0, 'order_cancelled')]));

    it('for other reasons, the wait-list entry stays', () =>
      spec
        .given([
          queued('ord_a', 2, 1),
          adjusted(1, 1),
          reservedEv('ord_a', 1, 1, 1),
          dequeued('ord_a', 1, 1, 'reserved'),
        ])
        .when(cmd('ReleaseReservation', { orderId: 'ord_a', reason: 'manual' }))
        .then([released('ord_a', 1, 'manual', 1, 0)]));

    it('when the quantity is below 1, then refused invalid_quantity', () =>
      spec
        .given(held)
        .when(cmd('ReleaseReservation', { orderId: 'ord_a', quantity: 0, reason: 'manual' }))
        .thenRefuses('invalid_quantity'));
  });

  describe('CommitReservation', () => {
    const held = [adjusted(5, 5), reservedEv('ord_a', 3, 5, 3)];

    it('shipping reserved units lowers onHand and reserved together', () =>
      spec
        .given(held)
        .when(cmd('CommitReservation', { orderId: 'ord_a', shipmentId: 'shp_1', quantity: 2 }))
        .then([shipped('ord_a', 'shp_1', 2, 3, 1, 1)]));

    it('shipping more than the order holds is refused quantity_exceeds_unshipped', () => {
      spec
        .given(held)
        .when(cmd('CommitReservation', { orderId: 'ord_a', shipmentId: 'shp_1', quantity: 4 }))
        .thenRefuses('quantity_exceeds_unshipped');
      spec
        .given(held)
        .when(cmd('CommitReservation', { orderId: 'ord_b', shipmentId: 'shp_1', quantity: 1 }))
        .thenRefuses('quantity_exceeds_unshipped');
    });

    it('committing the same shipment again (a retry) does nothing', () =>
      spec
        .given([...held, shipped('ord_a', 'shp_1', 2, 3, 1, 1)])
        .when(cmd('CommitReservation', { orderId: 'ord_a', shipmentId: 'shp_1', quantity: 2 }))
        .thenNothingHappens());

    it('when the quantity is below 1, then refused invalid_quantity', () =>
      spec
        .given(held)
        .when(cmd('CommitReservation', { orderId: 'ord_a', shipmentId: 'shp_1', quantity: 0 }))
        .thenRefuses('invalid_quantity'));
  });

  describe('ReturnShippedToReservation', () => {
    const afterShipping = [adjusted(5, 5), reservedEv('ord_a', 3, 5, 3), shipped('ord_a', 'shp_1', 2, 3, 1, 1)];
    const unshipped = (quantity: number, onHand: number, reserved: number, orderReserved: number): InventoryEvent => ({
      type: 'StockUnshipped',
      data: {
        ...at,
        orderId: 'ord_a',
        shipmentId: 'shp_1',
        quantity,
        orderReserved,
        reason: 'shipment_cancelled',
        onHandDelta: quantity,
        reservedDelta: quantity,
        onHand,
        reserved,
      },
    });

    it('a cancelled shipment puts its units back on hand, reserved for the order again', () =>
      spec
        .given(afterShipping)
        .when(cmd('ReturnShippedToReservation', { orderId: 'ord_a', shipmentId: 'shp_1', quantity: 2 }))
        .then([unshipped(2, 5, 3, 3)]));

    it('given the shipment already returned, when returned again (a retry), then nothing happens', () =>
      spec
        .given([...afterShipping, unshipped(2, 5, 3, 3)])
        .when(cmd('ReturnShippedToReservation', { orderId: 'ord_a', shipmentId: 'shp_1', quantity: 2 }))
        .thenNothingHappens());

    it('returning more than the shipment took is refused quantity_exceeds_shipped', () =>
      spec
        .given(afterShipping)
        .when(cmd('ReturnShippedToReservation', { orderId: 'ord_a', shipmentId: 'shp_1', quantity: 3 }))
        .thenRefuses('quantity_exceeds_shipped'));

    it('an unknown shipment, or one of another order, is refused shipment_not_found', () => {
      spec
        .given(afterShipping)
        .when(cmd('ReturnShippedToReservation', { orderId: 'ord_a', shipmentId: 'shp_9', quantity: 1 }))
        .thenRefuses('shipment_not_found');
      spec
        .given(afterShipping)
        .when(cmd('ReturnShippedToReservation', { orderId: 'ord_b', shipmentId: 'shp_1', quantity: 1 }))
        .thenRefuses('shipment_not_found');
    });
  });

  describe('helpers and evolve', () => {
    it('levelOf gives onHand, reserved and available', () =>
      expect(levelOf(stateOf([adjusted(5, 5), reservedEv('ord_a', 2, 5, 2)]))).to.deep.equal({
        onHand: 5,
        reserved: 2,
        available: 3,
      }));

    it('grantableBackorders and unitsOrderMayTake follow the queue', () => {
      const s = stateOf([queued('ord_1', 2, 1), queued('ord_2', 2, 2), adjusted(3, 3)]);
      expect(grantableBackorders(s)).to.deep.equal([
        { orderId: 'ord_1', quantity: 2 },
        { orderId: 'ord_2', quantity: 1 },
      ]);
      expect([
        unitsOrderMayTake(s, 'ord_1'),
        unitsOrderMayTake(s, 'ord_2'),
        unitsOrderMayTake(s, 'ord_x'),
      ]).to.deep.equal([3, 1, 0]);
    });

    it('evolve records where the stream is and ignores unknown event types (time travel folds any prefix)', () => {
      const s = stateOf([adjusted(5, 5)]);
      expect([s.sku, s.location, s.lastMovementAt]).to.deep.equal(['SKU-1', 'default', now]);
      expect(inventoryDecider.evolve(s, { type: 'SomethingNew', data: at } as unknown as InventoryEvent)).to.equal(s);
    });
  });

  it('property: a seeded random sequence keeps 0 ≤ reserved ≤ onHand and reserved = Σ reservations after every event', () => {
    // mulberry32: a tiny seeded PRNG, so a failure replays exactly.
    let seed = 20261128;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const orders = ['ord_1', 'ord_2', 'ord_3', 'ord_4', 'ord_5'];
    const check = (s: InventoryState, step: number) => {
      expect(s.reserved, `step ${step}`).to.be.within(0, s.onHand);
      expect(s.reserved, `step ${step}`).to.equal(s.reservations.reduce((n, q) => n + q, 0));
      expect(s.reservations.every((q) => q > 0) && s.waitList.every((b) => b.quantity > 0), `step ${step}`).to.equal(
        true,
      );
      expect(new Set(s.waitList.map((b) => b.orderId)).size, `step ${step}`).to.equal(s.waitList.length);
    };

    let state = inventoryDecider.initialState();
    const shipments: string[] = [];
    const outcomes = { accepted: 0, unchanged: 0, refused: 0 };
    for (let i = 0; i < 500; i++) {
      const orderId = pick(orders);
      const c = pick<() => InventoryCommand>([
        () =>
          cmd('AdjustStock', {
            delta: rand() < 0.6 ? int(1, 6) : -int(1, 6),
            reason: pick(['received', 'damaged', 'lost', 'found', 'correction'] as const),
          }),
        () => cmd('CountStock', { onHand: int(0, 10), reason: 'cycle_count' }),
        () => cmd('ReserveStock', { orderId, quantity: int(1, 5) }),
        () => cmd('ReserveStock', { orderId, quantity: int(1, 5) }),
        () => cmd('QueueBackorder', { orderId, quantity: int(1, 4) }),
        () => cmd('DequeueBackorder', { orderId, reason: 'allocated_elsewhere' }),
        () =>
          cmd('ReleaseReservation', {
            orderId,
            reason: pick(['order_cancelled', 'lines_changed', 'manual'] as const),
            ...(rand() < 0.5 ? { quantity: int(1, 4) } : {}),
          }),
        () => {
          const shipmentId = `shp_${i}`;
          shipments.push(shipmentId);
          return cmd('CommitReservation', { orderId, shipmentId, quantity: int(1, 4) });
        },
        () => {
          const shipmentId = shipments.length ? pick(shipments) : 'shp_none';
          const committed = state.shipments.get(shipmentId);
          return cmd('ReturnShippedToReservation', {
            orderId: committed?.orderId ?? orderId,
            shipmentId,
            quantity: int(1, 3),
          });
        },
      ])();
      let events: InventoryEvent[];
      try {
        events = inventoryDecider.decide(c, state);
      } catch (err) {
        expect(err, `step ${i}`).to.be.instanceOf(DomainError);
        outcomes.refused++;
        continue;
      }
      outcomes[events.length ? 'accepted' : 'unchanged']++;
      for (const e of events) {
        state = inventoryDecider.evolve(state, e);
        check(state, i); // holds after every single event, not only after the decision
        if ('onHand' in e.data)
          expect([e.data.onHand, e.data.reserved], `step ${i}: ${e.type} levels`).to.deep.equal([
            state.onHand,
            state.reserved,
          ]);
      }
    }
    expect(outcomes.accepted).to.be.greaterThan(200);
    expect(outcomes.refused).to.be.greaterThan(0);
    expect(outcomes.unchanged).to.be.greaterThan(0);
  });
});
