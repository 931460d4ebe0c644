import { expect } from 'chai';
import type { OrderCommand } from '../../domain/orders/commands.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { OrderEvent } from '../../domain/orders/events.ts';
import { allowedActions, reservedOf, shippedOf, type OrderState } from '../../domain/orders/state.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import { mulberry32 } from '../support/prng.ts';

const spec = deciderSpec(orderDecider);
const now = '2026-11-28T10:00:00.000Z';
const address = { line1: '1 Quay St', city: 'Bristol', country: 'GB' };
const lines = [
  { sku: 'A', quantity: 2, unitPrice: 1000 },
  { sku: 'B', quantity: 1, unitPrice: 500 },
];
const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    orderId: 'ord_1',
    customerId: 'cus_1',
    currency: 'EUR',
    lines,
    shippingAddress: address,
    externalId: 'ext-1',
    notes: null,
    placedAt: now,
  },
};
const alloc = (sku: string, reserved: number, location = 'default'): OrderEvent => ({
  type: 'OrderAllocationRecorded',
  data: { allocations: [{ sku, location, reserved }], occurredAt: now },
});
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { occurredAt: now } };
const fullyAllocated = [placed, alloc('A', 2), alloc('B', 1), confirmed];
const shipment = (id: string, l: { sku: string; quantity: number }[]): OrderEvent => ({
  type: 'OrderShipmentRecorded',
  data: { shipmentId: id, location: 'default', lines: l, occurredAt: now },
});
const c = (type: OrderCommand['type'], data: object) => ({ type, data: { now, ...data } }) as OrderCommand;
const fold = (events: OrderEvent[]) => events.reduce(orderDecider.evolve, orderDecider.initialState());

describe('Order decider', () => {
  describe('PlaceOrder', () => {
    it('given nothing, when placed, then OrderPlaced (pending)', () => {
      spec
        .given([])
        .when(
          c('PlaceOrder', {
            orderId: 'ord_1',
            customerId: 'cus_1',
            currency: 'EUR',
            lines,
            shippingAddress: address,
            externalId: 'ext-1',
            notes: null,
          }),
        )
        .then([placed]);
      expect(fold([placed]).status).to.equal('pending');
    });
    it('given an order, when placed again, then refused order_already_exists', () =>
      spec
        .given([placed])
        .when(
          c('PlaceOrder', {
            orderId: 'ord_1',
            customerId: 'cus_1',
            currency: 'EUR',
            lines,
            shippingAddress: address,
            externalId: null,
            notes: null,
          }),
        )
        .thenRefuses('order_already_exists'));
    it('given nothing, when a SKU appears on two lines, then refused duplicate_line_sku', () =>
      spec
        .given([])
        .when(
          c('PlaceOrder', {
            orderId: 'ord_1',
            customerId: 'cus_1',
            currency: 'EUR',
            lines: [...lines, lines[0]],
            shippingAddress: address,
            externalId: null,
            notes: null,
          }),
        )
        .thenRefuses('duplicate_line_sku'));
  });

  describe('RecordAllocation', () => {
    it('given a pending order, when every line is reserved, then allocation recorded and OrderConfirmed', () =>
      spec
        .given([placed])
        .when(
          c('RecordAllocation', {
            allocations: [
              { sku: 'A', location: 'default', reserved: 2 },
              { sku: 'B', location: 'east', reserved: 1 },
            ],
            roundComplete: true,
          }),
        )
        .then([
          {
            type: 'OrderAllocationRecorded',
            data: {
              allocations: [
                { sku: 'A', location: 'default', reserved: 2 },
                { sku: 'B', location: 'east', reserved: 1 },
              ],
              occurredAt: now,
            },
          },
          confirmed,
        ]));
    it('given a pending order of A and B, when only A is reported and held in full, then it stays pending (B is undecided)', () =>
      spec
        .given([placed])
        .when(
          c('RecordAllocation', { allocations: [{ sku: 'A', location: 'default', reserved: 2 }], roundComplete: true }),
        )
        .then([alloc('A', 2)]));
    it('given a pending order, when a line stays short after a full round, then OrderBackordered with the shortage', () =>
      spec
        .given([placed])
        .when(
          c('RecordAllocation', { allocations: [{ sku: 'A', location: 'default', reserved: 1 }], roundComplete: true }),
        )
        .then([
          alloc('A', 1),
          {
            type: 'OrderBackordered',
            data: {
              // B was not reported (its partition has not decided yet): only A counts as short.
              shortages: [{ sku: 'A', quantity: 1 }],
              occurredAt: now,
            },
          },
        ]));
    it('given a backordered order, when still short, then nothing new (no repeated backorder)', () =>
      spec
        .given([placed, alloc('A', 1), { type: 'OrderBackordered', data: { shortages: [], occurredAt: now } }])
        .when(
          c('RecordAllocation', { allocations: [{ sku: 'A', location: 'default', reserved: 1 }], roundComplete: true }),
        )
        .thenNothingHappens());
    it('given a backordered order, when stock arrives for every line, then OrderConfirmed', () =>
      spec
        .given([placed, alloc('A', 1), { type: 'OrderBackordered', data: { shortages: [], occurredAt: now } }])
        .when(
          c('RecordAllocation', {
            allocations: [
              { sku: 'A', location: 'default', reserved: 2 },
              { sku: 'B', location: 'default', reserved: 1 },
            ],
            roundComplete: true,
          }),
        )
        .then([
          {
            type: 'OrderAllocationRecorded',
            data: {
              allocations: [
                { sku: 'A', location: 'default', reserved: 2 },
                { sku: 'B', location: 'default', reserved: 1 },
              ],
              occurredAt: now,
            },
          },
          confirmed,
        ]));
    it('given a confirmed order, when the same allocation is recorded again (a retry), then nothing happens', () =>
      spec
        .given(fullyAllocated)
        .when(
          c('RecordAllocation', { allocations: [{ sku: 'A', location: 'default', reserved: 2 }], roundComplete: true }),
        )
        .thenNothingHappens());
    it('given a cancelled order, when an allocation arrives, then refused order_already_cancelled (the process releases it)', () =>
      spec
        .given([placed, { type: 'OrderCancelled', data: { reason: 'x', releases: [], cancelledAt: now } }])
        .when(
          c('RecordAllocation', { allocations: [{ sku: 'A', location: 'default', reserved: 2 }], roundComplete: true }),
        )
        .thenRefuses('order_already_cancelled'));
    it('given no order, when an allocation arrives, then refused order_not_found', () =>
      spec
        .given([])
        .when(c('RecordAllocation', { allocations: [], roundComplete: true }))
        .thenRefuses('order_not_found'));
    it('given a partially shipped order, when a shortfall took its unshipped units, then the allocation is recorded and the status stays partially_shipped', () => {
      const partly = [...fullyAllocated, shipment('shp_1', [{ sku: 'A', quantity: 2 }])];
      spec
        .given(partly)
        .when(
          c('RecordAllocation', { allocations: [{ sku: 'B', location: 'default', reserved: 0 }], roundComplete: true }),
        )
        .then([alloc('B', 0)]);
      const after = fold([...partly, alloc('B', 0)]);
      expect(after.status).to.equal('partially_shipped');
      expect(after.status !== 'none' && after.lines.map((l) => [l.sku, reservedOf(l), shippedOf(l)])).to.deep.equal([
        ['A', 0, 2],
        ['B', 0, 0],
      ]);
    });
    it('given a partially shipped order short of units, when stock is reserved again, then the allocation is recorded without a confirm', () =>
      spec
        .given([...fullyAllocated, shipment('shp_1', [{ sku: 'A', quantity: 2 }]), alloc('B', 0)])
        .when(
          c('RecordAllocation', { allocations: [{ sku: 'B', location: 'default', reserved: 1 }], roundComplete: true }),
        )
        .then([alloc('B', 1)]));
  });

  describe('UpdateOrder', () => {
    it('given a confirmed order, when a line shrinks, then OrderUpdated releasing the excess and back to pending', () => {
      const newLines = [{ sku: 'A', quantity: 1, unitPrice: 1000 }, lines[1]!];
      spec
        .given(fullyAllocated)
        .when(c('UpdateOrder', { lines: newLines }))
        .then([
          {
            type: 'OrderUpdated',
            data: {
              changes: { lines: newLines },
              releases: [{ sku: 'A', location: 'default', quantity: 1 }],
              updatedAt: now,
            },
          },
        ]);
      const after = fold([
        ...fullyAllocated,
        {
          type: 'OrderUpdated',
          data: {
            changes: { lines: newLines },
            releases: [{ sku: 'A', location: 'default', quantity: 1 }],
            updatedAt: now,
          },
        },
      ]);
      expect(after.status).to.equal('pending');
      expect(after.status !== 'none' && reservedOf(after.lines[0]!)).to.equal(1);
    });
    it('given an order, when a line is removed, then its whole reservation is released', () =>
      spec
        .given(fullyAllocated)
        .when(c('UpdateOrder', { lines: [lines[0]] }))
        .then([
          {
            type: 'OrderUpdated',
            data: {
              changes: { lines: [lines[0]!] },
              releases: [{ sku: 'B', location: 'default', quantity: 1 }],
              updatedAt: now,
            },
          },
        ]));
    it('given an order, when only notes and address change, then OrderUpdated without releases and the status stays', () => {
      const addr = { ...address, city: 'Bath' };
      spec
        .given(fullyAllocated)
        .when(c('UpdateOrder', { notes: 'ring twice', shippingAddress: addr }))
        .then([
          {
            type: 'OrderUpdated',
            data: { changes: { shippingAddress: addr, notes: 'ring twice' }, releases: [], updatedAt: now },
          },
        ]);
    });
    it('given an order, when nothing changes, then nothing happens', () =>
      spec
        .given(fullyAllocated)
        .when(c('UpdateOrder', { lines, notes: null }))
        .thenNothingHappens());
    it('given a partly shipped order, when updated, then refused order_not_editable', () =>
      spec
        .given([...fullyAllocated, shipment('shp_1', [{ sku: 'A', quantity: 1 }])])
        .when(c('UpdateOrder', { notes: 'x' }))
        .thenRefuses('order_not_editable'));
    it('given a cancelled order, when updated, then refused order_already_cancelled', () =>
      spec
        .given([placed, { type: 'OrderCancelled', data: { reason: 'x', releases: [], cancelledAt: now } }])
        .when(c('UpdateOrder', { notes: 'x' }))
        .thenRefuses('order_already_cancelled'));
    it('given an order, when lines repeat a SKU, then refused duplicate_line_sku', () =>
      spec
        .given([placed])
        .when(c('UpdateOrder', { lines: [lines[0], lines[0]] }))
        .thenRefuses('duplicate_line_sku'));
  });

  describe('CancelOrder', () => {
    it('given a confirmed order, when cancelled, then OrderCancelled releasing every reservation', () =>
      spec
        .given(fullyAllocated)
        .when(c('CancelOrder', { reason: 'customer asked' }))
        .then([
          {
            type: 'OrderCancelled',
            data: {
              reason: 'customer asked',
              releases: [
                { sku: 'A', location: 'default', quantity: 2 },
                { sku: 'B', location: 'default', quantity: 1 },
              ],
              cancelledAt: now,
            },
          },
        ]));
    it('given a cancelled order, when cancelled again, then refused order_already_cancelled', () =>
      spec
        .given([placed, { type: 'OrderCancelled', data: { reason: 'x', releases: [], cancelledAt: now } }])
        .when(c('CancelOrder', { reason: 'again' }))
        .thenRefuses('order_already_cancelled'));
    it('given a fully shipped order, when cancelled, then refused order_fully_shipped', () =>
      spec
        .given([
          ...fullyAllocated,
          shipment('shp_1', [
            { sku: 'A', quantity: 2 },
            { sku: 'B', quantity: 1 },
          ]),
        ])
        .when(c('CancelOrder', { reason: 'late' }))
        .thenRefuses('order_fully_shipped'));
    it('given a fully shipped order, when some lines are cancelled, then refused order_fully_shipped', () =>
      spec
        .given([
          ...fullyAllocated,
          shipment('shp_1', [
            { sku: 'A', quantity: 2 },
            { sku: 'B', quantity: 1 },
          ]),
        ])
        .when(c('CancelOrder', { reason: 'late', lines: [{ sku: 'A', quantity: 1 }] }))
        .thenRefuses('order_fully_shipped'));
    it('given no order, when cancelled, then refused order_not_found', () =>
      spec
        .given([])
        .when(c('CancelOrder', { reason: 'x' }))
        .thenRefuses('order_not_found'));
  });

  describe('CancelOrder after a partial shipment, and of some lines', () => {
    const linesCancelled = (
      cancelled: { sku: string; quantity: number; unitPrice: number }[],
      releases: { sku: string; location: string; quantity: number }[],
    ): OrderEvent => ({
      type: 'OrderLinesCancelled',
      data: { reason: 'r', lines: cancelled, releases, occurredAt: now },
    });
    const partlyShipped = [...fullyAllocated, shipment('shp_1', [{ sku: 'A', quantity: 1 }])];

    it('given a partially shipped order, when cancelled, then its unshipped units are cancelled and it is shipped', () => {
      spec
        .given(partlyShipped)
        .when(c('CancelOrder', { reason: 'r' }))
        .then([
          linesCancelled(
            [
              { sku: 'A', quantity: 1, unitPrice: 1000 },
              { sku: 'B', quantity: 1, unitPrice: 500 },
            ],
            [
              { sku: 'A', location: 'default', quantity: 1 },
              { sku: 'B', location: 'default', quantity: 1 },
            ],
          ),
          { type: 'OrderShipped', data: { occurredAt: now } },
        ]);
      const s = fold([
        ...partlyShipped,
        linesCancelled(
          [
            { sku: 'A', quantity: 1, unitPrice: 1000 },
            { sku: 'B', quantity: 1, unitPrice: 500 },
          ],
          [
            { sku: 'A', location: 'default', quantity: 1 },
            { sku: 'B', location: 'default', quantity: 1 },
          ],
        ),
      ]);
      if (s.status === 'none') throw new Error('no order');
      expect(s.status).to.equal('shipped');
      expect(s.lines.map((l) => [l.sku, reservedOf(l), shippedOf(l), l.cancelled])).to.deep.equal([
        ['A', 0, 1, 1],
        ['B', 0, 0, 1],
      ]);
    });
    it('given a partially shipped order whose shipment was delivered, when the rest is cancelled, then OrderShipped and OrderDelivered', () =>
      spec
        .given([...partlyShipped, { type: 'OrderShipmentDelivered', data: { shipmentId: 'shp_1', occurredAt: now } }])
        .when(c('CancelOrder', { reason: 'r' }))
        .then([
          linesCancelled(
            [
              { sku: 'A', quantity: 1, unitPrice: 1000 },
              { sku: 'B', quantity: 1, unitPrice: 500 },
            ],
            [
              { sku: 'A', location: 'default', quantity: 1 },
              { sku: 'B', location: 'default', quantity: 1 },
            ],
          ),
          { type: 'OrderShipped', data: { occurredAt: now } },
          { type: 'OrderDelivered', data: { occurredAt: now } },
        ]));
    it('given a partially shipped order, when one of two open lines is cancelled, then it stays partially_shipped', () => {
      const cancelB = linesCancelled(
        [{ sku: 'B', quantity: 1, unitPrice: 500 }],
        [{ sku: 'B', location: 'default', quantity: 1 }],
      );
      spec
        .given(partlyShipped)
        .when(c('CancelOrder', { reason: 'r', lines: [{ sku: 'B', quantity: 1 }] }))
        .then([cancelB]);
      expect(fold([...partlyShipped, cancelB]).status).to.equal('partially_shipped');
    });
    it('given a backordered order, when its short line is cancelled, then OrderLinesCancelled and OrderConfirmed', () => {
      const backordered: OrderEvent[] = [
        placed,
        alloc('A', 2),
        { type: 'OrderBackordered', data: { shortages: [{ sku: 'B', quantity: 1 }], occurredAt: now } },
      ];
      spec
        .given(backordered)
        .when(c('CancelOrder', { reason: 'r', lines: [{ sku: 'B', quantity: 1 }] }))
        .then([linesCancelled([{ sku: 'B', quantity: 1, unitPrice: 500 }], []), confirmed]);
    });
    it('given a confirmed order, when part of a line is cancelled, then the excess reservation is released and it stays confirmed', () => {
      const cancelA = linesCancelled(
        [{ sku: 'A', quantity: 1, unitPrice: 1000 }],
        [{ sku: 'A', location: 'default', quantity: 1 }],
      );
      spec
        .given(fullyAllocated)
        .when(c('CancelOrder', { reason: 'r', lines: [{ sku: 'A', quantity: 1 }] }))
        .then([cancelA]);
      const s = fold([...fullyAllocated, cancelA]);
      expect(s.status).to.equal('confirmed');
      expect(allowedActions(s)).to.deep.equal(['update', 'cancel', 'ship']);
    });
    it('given an order with nothing shipped, when every unit is cancelled by lines, then OrderCancelled', () =>
      spec
        .given(fullyAllocated)
        .when(
          c('CancelOrder', {
            reason: 'r',
            lines: [
              { sku: 'B', quantity: 1 },
              { sku: 'A', quantity: 2 },
            ],
          }),
        )
        .then([
          {
            type: 'OrderCancelled',
            data: {
              reason: 'r',
              releases: [
                { sku: 'A', location: 'default', quantity: 2 },
                { sku: 'B', location: 'default', quantity: 1 },
              ],
              cancelledAt: now,
            },
          },
        ]));
    it('given a partially shipped order, when more than the unshipped units are cancelled, then refused quantity_exceeds_unshipped', () =>
      spec
        .given(partlyShipped)
        .when(c('CancelOrder', { reason: 'r', lines: [{ sku: 'A', quantity: 2 }] }))
        .thenRefuses('quantity_exceeds_unshipped'));
    it('given an order, when a line names a SKU it does not have, then refused unknown_line_sku', () =>
      spec
        .given(fullyAllocated)
        .when(c('CancelOrder', { reason: 'r', lines: [{ sku: 'Z', quantity: 1 }] }))
        .thenRefuses('unknown_line_sku'));
    it('given an order, when lines repeat a SKU, then refused duplicate_line_sku', () =>
      spec
        .given(fullyAllocated)
        .when(
          c('CancelOrder', {
            reason: 'r',
            lines: [
              { sku: 'A', quantity: 1 },
              { sku: 'A', quantity: 1 },
            ],
          }),
        )
        .thenRefuses('duplicate_line_sku'));
    it('given cancelled units, when the line is cancelled past what is left, then refused quantity_exceeds_unshipped', () =>
      spec
        .given([
          ...fullyAllocated,
          linesCancelled(
            [{ sku: 'A', quantity: 1, unitPrice: 1000 }],
            [{ sku: 'A', location: 'default', quantity: 1 }],
          ),
        ])
        .when(c('CancelOrder', { reason: 'r', lines: [{ sku: 'A', quantity: 2 }] }))
        .thenRefuses('quantity_exceeds_unshipped'));
    it('given a partly cancelled order, when the rest of the line ships, then OrderShipped (cancelled units are not due)', () =>
      spec
        .given([
          ...fullyAllocated,
          linesCancelled(
            [{ sku: 'A', quantity: 1, unitPrice: 1000 }],
            [{ sku: 'A', location: 'default', quantity: 1 }],
          ),
        ])
        .when(
          c('RecordShipment', {
            shipmentId: 'shp_9',
            location: 'default',
            lines: [
              { sku: 'A', quantity: 1 },
              { sku: 'B', quantity: 1 },
            ],
          }),
        )
        .then([
          {
            type: 'OrderShipmentRecorded',
            data: {
              shipmentId: 'shp_9',
              location: 'default',
              lines: [
                { sku: 'A', quantity: 1 },
                { sku: 'B', quantity: 1 },
              ],
              occurredAt: now,
            },
          },
          { type: 'OrderShipped', data: { occurredAt: now } },
        ]));
  });

  describe('shipments', () => {
    it('ship 2 of 3 units → partially_shipped; the rest → OrderShipped', () => {
      spec
        .given(fullyAllocated)
        .when(c('RecordShipment', { shipmentId: 'shp_1', location: 'default', lines: [{ sku: 'A', quantity: 2 }] }))
        .then([shipment('shp_1', [{ sku: 'A', quantity: 2 }])]);
      expect(fold([...fullyAllocated, shipment('shp_1', [{ sku: 'A', quantity: 2 }])]).status).to.equal(
        'partially_shipped',
      );
      spec
        .given([...fullyAllocated, shipment('shp_1', [{ sku: 'A', quantity: 2 }])])
        .when(c('RecordShipment', { shipmentId: 'shp_2', location: 'default', lines: [{ sku: 'B', quantity: 1 }] }))
        .then([shipment('shp_2', [{ sku: 'B', quantity: 1 }]), { type: 'OrderShipped', data: { occurredAt: now } }]);
    });
    it('shipping more than is reserved and unshipped is refused quantity_exceeds_unshipped', () => {
      spec
        .given(fullyAllocated)
        .when(c('RecordShipment', { shipmentId: 'shp_1', location: 'default', lines: [{ sku: 'A', quantity: 3 }] }))
        .thenRefuses('quantity_exceeds_unshipped');
      spec
        .given(fullyAllocated)
        .when(c('RecordShipment', { shipmentId: 'shp_1', location: 'east', lines: [{ sku: 'A', quantity: 1 }] }))
        .thenRefuses('quantity_exceeds_unshipped');
    });
    it('shipping an unknown SKU is refused unknown_line_sku; a cancelled order cannot ship', () => {
      spec
        .given(fullyAllocated)
        .when(c('RecordShipment', { shipmentId: 'shp_1', location: 'default', lines: [{ sku: 'Z', quantity: 1 }] }))
        .thenRefuses('unknown_line_sku');
      spec
        .given([placed, { type: 'OrderCancelled', data: { reason: 'x', releases: [], cancelledAt: now } }])
        .when(c('RecordShipment', { shipmentId: 'shp_1', location: 'default', lines: [{ sku: 'A', quantity: 1 }] }))
        .thenRefuses('order_already_cancelled');
    });
    it('recording the same shipment twice (a retry) does nothing', () =>
      spec
        .given([...fullyAllocated, shipment('shp_1', [{ sku: 'A', quantity: 1 }])])
        .when(c('RecordShipment', { shipmentId: 'shp_1', location: 'default', lines: [{ sku: 'A', quantity: 1 }] }))
        .thenNothingHappens());
    it('a cancelled shipment counts as not shipped: its units can ship again', () => {
      const events = [
        ...fullyAllocated,
        shipment('shp_1', [{ sku: 'A', quantity: 2 }]),
        { type: 'OrderShipmentCancelled', data: { shipmentId: 'shp_1', occurredAt: now } } as OrderEvent,
      ];
      const s = fold(events);
      expect(s.status).to.equal('confirmed');
      expect(s.status !== 'none' && shippedOf(s.lines[0]!)).to.equal(0);
      spec
        .given(events)
        .when(c('RecordShipment', { shipmentId: 'shp_2', location: 'default', lines: [{ sku: 'A', quantity: 2 }] }))
        .then([shipment('shp_2', [{ sku: 'A', quantity: 2 }])]);
      spec
        .given(events)
        .when(c('RecordShipmentCancelled', { shipmentId: 'shp_1' }))
        .thenNothingHappens();
      spec
        .given(fullyAllocated)
        .when(c('RecordShipmentCancelled', { shipmentId: 'shp_x' }))
        .thenRefuses('shipment_not_found');
    });
    it('all shipments delivered and nothing left to ship → OrderDelivered; delivery of one of two → not yet', () => {
      const shippedAll = [
        ...fullyAllocated,
        shipment('shp_1', [{ sku: 'A', quantity: 2 }]),
        shipment('shp_2', [{ sku: 'B', quantity: 1 }]),
      ];
      spec
        .given(shippedAll)
        .when(c('RecordShipmentDelivered', { shipmentId: 'shp_1' }))
        .then([{ type: 'OrderShipmentDelivered', data: { shipmentId: 'shp_1', occurredAt: now } }]);
      const oneDelivered = [
        ...shippedAll,
        { type: 'OrderShipmentDelivered', data: { shipmentId: 'shp_1', occurredAt: now } } as OrderEvent,
      ];
      expect(fold(oneDelivered).status).to.equal('shipped');
      spec
        .given(oneDelivered)
        .when(c('RecordShipmentDelivered', { shipmentId: 'shp_2' }))
        .then([
          { type: 'OrderShipmentDelivered', data: { shipmentId: 'shp_2', occurredAt: now } },
          { type: 'OrderDelivered', data: { occurredAt: now } },
        ]);
      spec
        .given(oneDelivered)
        .when(c('RecordShipmentDelivered', { shipmentId: 'shp_1' }))
        .thenNothingHappens();
      spec
        .given(fullyAllocated)
        .when(c('RecordShipmentDelivered', { shipmentId: 'shp_x' }))
        .thenRefuses('shipment_not_found');
    });
    it('a delivered partial shipment leaves the order partially_shipped', () => {
      const s = fold([
        ...fullyAllocated,
        shipment('shp_1', [{ sku: 'A', quantity: 2 }]),
        { type: 'OrderShipmentDelivered', data: { shipmentId: 'shp_1', occurredAt: now } },
      ]);
      expect(s.status).to.equal('partially_shipped');
    });
  });

  describe('allowedActions', () => {
    const cases: [string, OrderEvent[], string[]][] = [
      ['pending', [placed], ['update', 'cancel']],
      ['confirmed', fullyAllocated, ['update', 'cancel', 'ship']],
      [
        'backordered with nothing reserved',
        [placed, { type: 'OrderBackordered', data: { shortages: [], occurredAt: now } }],
        ['update', 'cancel'],
      ],
      [
        'backordered with some reserved',
        [placed, alloc('A', 1), { type: 'OrderBackordered', data: { shortages: [], occurredAt: now } }],
        ['update', 'cancel', 'ship'],
      ],
      ['partially shipped', [...fullyAllocated, shipment('shp_1', [{ sku: 'A', quantity: 1 }])], ['cancel', 'ship']],
      [
        'shipped',
        [
          ...fullyAllocated,
          shipment('shp_1', [
            { sku: 'A', quantity: 2 },
            { sku: 'B', quantity: 1 },
          ]),
        ],
        [],
      ],
      ['cancelled', [placed, { type: 'OrderCancelled', data: { reason: 'x', releases: [], cancelledAt: now } }], []],
    ];
    for (const [label, events, actions] of cases)
      it(`${label} → ${JSON.stringify(actions)}`, () => expect(allowedActions(fold(events))).to.deep.equal(actions));
  });

  it('property: any sequence of commands keeps shipped + cancelled ≤ quantity per line and no empty reservation entries', () => {
    const rand = mulberry32(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    let state: OrderState = fold([placed]);
    let refused = 0;
    for (let i = 0; i < 500; i++) {
      const sku = pick(['A', 'B']);
      const q = Math.floor(rand() * 3) + 1;
      const shipmentId = `shp_${Math.floor(rand() * 6)}`;
      const cur = state.status === 'none' ? undefined : state.lines.find((l) => l.sku === sku);
      const want = cur ? Math.max(0, Math.min(cur.quantity - shippedOf(cur), Math.floor(rand() * 3))) : 0;
      const command = pick<OrderCommand>([
        c('RecordAllocation', {
          allocations: [{ sku, location: pick(['default', 'east']), reserved: Math.floor(want / 2) }],
          roundComplete: rand() < 0.5,
        }),
        c('RecordShipment', { shipmentId, location: pick(['default', 'east']), lines: [{ sku, quantity: q }] }),
        c('RecordShipmentCancelled', { shipmentId }),
        c('RecordShipmentDelivered', { shipmentId }),
        c('CancelOrder', { reason: 'r', lines: [{ sku, quantity: q }] }),
        c('UpdateOrder', {
          lines: [
            { sku: 'A', quantity: q, unitPrice: 1000 },
            { sku: 'B', quantity: 2, unitPrice: 500 },
          ],
        }),
      ]);
      try {
        for (const e of orderDecider.decide(command, state)) state = orderDecider.evolve(state, e);
      } catch (err) {
        expect(err).to.be.instanceOf(DomainError);
        refused++;
      }
      if (state.status === 'none') throw new Error('order vanished');
      for (const l of state.lines) {
        expect(shippedOf(l) + (l.cancelled ?? 0), `step ${i}`).to.be.at.most(l.quantity);
        expect(Object.values(l.reserved).every((n) => n > 0)).to.equal(true);
      }
    }
    expect(refused).to.be.greaterThan(0);
  });
});
