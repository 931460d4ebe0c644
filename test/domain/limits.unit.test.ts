import { expect } from 'chai';
import type { InventoryCommand } from '../../domain/inventory/commands.ts';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { InventoryEvent } from '../../domain/inventory/events.ts';
import type { OrderCommand } from '../../domain/orders/commands.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { OrderEvent, OrderLineInput } from '../../domain/orders/events.ts';
import { MAX_AMOUNT, MAX_QUANTITY } from '../../domain/shared/limits.ts';
import { deciderSpec } from '../support/decider-spec.ts';

// The bounds every read model and JSON consumer relies on (domain/shared/limits.ts): a refusal is
// 422 quantity_out_of_range / amount_out_of_range and appends nothing.

const now = '2026-12-03T10:00:00.000Z';
const at = { sku: 'BIG-1', location: 'default', occurredAt: now };
const inventory = deciderSpec(inventoryDecider);
const inv = (type: InventoryCommand['type'], data: object) =>
  ({ type, data: { sku: 'BIG-1', location: 'default', now, ...data } }) as InventoryCommand;
const counted = (onHand: number): InventoryEvent => ({
  type: 'StockCounted',
  data: {
    ...at,
    reason: 'cycle_count',
    previousOnHand: 0,
    delta: onHand,
    onHandDelta: onHand,
    reservedDelta: 0,
    onHand,
    reserved: 0,
  },
});
const shippedAll = (quantity: number): InventoryEvent[] => [
  {
    type: 'StockReserved',
    data: {
      ...at,
      orderId: 'ord_1',
      quantity,
      requested: quantity,
      orderReserved: quantity,
      reason: 'reservation',
      onHandDelta: 0,
      reservedDelta: quantity,
      onHand: quantity,
      reserved: quantity,
    },
  },
  {
    type: 'StockShipped',
    data: {
      ...at,
      orderId: 'ord_1',
      shipmentId: 'shp_1',
      quantity,
      orderReserved: 0,
      reason: 'shipment',
      onHandDelta: -quantity,
      reservedDelta: -quantity,
      onHand: 0,
      reserved: 0,
    },
  },
];

describe('Quantity and amount bounds', () => {
  it('the bounds keep sums exact: 2 × MAX_QUANTITY and MAX_AMOUNT are safe integers', () => {
    expect(Number.isSafeInteger(2 * MAX_QUANTITY)).to.equal(true);
    expect(Number.isSafeInteger(9_000 * MAX_QUANTITY)).to.equal(true);
    expect(MAX_AMOUNT).to.equal(Number.MAX_SAFE_INTEGER);
  });

  describe('inventory', () => {
    it('given 10^9 counted and three +10^9 received (4 × 10^9, beyond int), then the level is accepted', () => {
      const events: InventoryEvent[] = [counted(1_000_000_000)];
      for (let i = 2; i <= 4; i++) {
        const [e] = inventoryDecider.decide(
          inv('AdjustStock', { delta: 1_000_000_000, reason: 'received' }),
          events.reduce(inventoryDecider.evolve, inventoryDecider.initialState()),
        );
        expect(e?.data).to.include({ onHand: i * 1_000_000_000 });
        events.push(e!);
      }
    });

    it('given MAX_QUANTITY on hand, when 1 more is received, then refused quantity_out_of_range', () =>
      inventory
        .given([counted(MAX_QUANTITY)])
        .when(inv('AdjustStock', { delta: 1, reason: 'received' }))
        .thenRefuses('quantity_out_of_range'));

    it('given MAX_QUANTITY on hand, when 1 is lost, then that is fine', () =>
      expect(
        inventoryDecider.decide(
          inv('AdjustStock', { delta: -1, reason: 'lost' }),
          inventoryDecider.evolve(inventoryDecider.initialState(), counted(MAX_QUANTITY)),
        )[0]?.data,
      ).to.include({ onHand: MAX_QUANTITY - 1 }));

    it('when a delta beyond MAX_QUANTITY (either way) is asked for, then refused quantity_out_of_range', () => {
      inventory
        .given([counted(MAX_QUANTITY)])
        .when(inv('AdjustStock', { delta: -(MAX_QUANTITY + 1), reason: 'lost' }))
        .thenRefuses('quantity_out_of_range');
      inventory
        .given([])
        .when(inv('AdjustStock', { delta: MAX_QUANTITY + 1, reason: 'received' }))
        .thenRefuses('quantity_out_of_range');
    });

    it('when counted above MAX_QUANTITY, then refused quantity_out_of_range; at MAX_QUANTITY it is fine', () => {
      inventory
        .given([])
        .when(inv('CountStock', { onHand: MAX_QUANTITY + 1, reason: 'cycle_count' }))
        .thenRefuses('quantity_out_of_range');
      inventory
        .given([])
        .when(inv('CountStock', { onHand: MAX_QUANTITY, reason: 'cycle_count' }))
        .then([counted(MAX_QUANTITY)]);
    });

    it('when a reservation, backorder, release or commit asks for more than MAX_QUANTITY, then refused quantity_out_of_range', () => {
      const big = MAX_QUANTITY + 1;
      for (const c of [
        inv('ReserveStock', { orderId: 'ord_1', quantity: big }),
        inv('QueueBackorder', { orderId: 'ord_1', quantity: big }),
        inv('ReleaseReservation', { orderId: 'ord_1', quantity: big, reason: 'manual' }),
        inv('CommitReservation', { orderId: 'ord_1', shipmentId: 'shp_1', quantity: big }),
      ])
        inventory
          .given([counted(MAX_QUANTITY)])
          .when(c)
          .thenRefuses('quantity_out_of_range');
    });

    it('given 5 shipped and then MAX_QUANTITY counted, when the shipment comes back, then refused quantity_out_of_range', () =>
      inventory
        .given([counted(5), ...shippedAll(5), counted(MAX_QUANTITY)])
        .when(inv('ReturnShippedToReservation', { orderId: 'ord_1', shipmentId: 'shp_1', quantity: 5 }))
        .thenRefuses('quantity_out_of_range'));
  });

  describe('orders', () => {
    const orders = deciderSpec(orderDecider);
    const place = (lines: OrderLineInput[]) =>
      ({
        type: 'PlaceOrder',
        data: {
          orderId: 'ord_1',
          customerId: 'cus_1',
          currency: 'JPY',
          lines,
          shippingAddress: { line1: '1 Quay St', city: 'Bristol', country: 'GB' },
          externalId: null,
          notes: null,
          now,
        },
      }) as OrderCommand;
    const placedWith = (lines: OrderLineInput[]) =>
      orderDecider.decide(place(lines), orderDecider.initialState()) as OrderEvent[];

    it('when a line total is beyond 2^53 − 1 (99,999 × 99,999,999,999), then refused amount_out_of_range', () =>
      orders
        .given([])
        .when(place([{ sku: 'P-1', quantity: 99_999, unitPrice: 99_999_999_999 }]))
        .thenRefuses('amount_out_of_range'));

    it('when the line totals are each fine but the subtotal is beyond 2^53 − 1, then refused amount_out_of_range', () =>
      orders
        .given([])
        .when(
          place([
            { sku: 'P-1', quantity: 50_000, unitPrice: 100_000_000_000 },
            { sku: 'P-2', quantity: 50_000, unitPrice: 100_000_000_000 },
          ]),
        )
        .thenRefuses('amount_out_of_range'));

    it('when the subtotal is exactly 2^53 − 1, then the order is placed', () =>
      expect(placedWith([{ sku: 'P-1', quantity: 1, unitPrice: MAX_AMOUNT }])).to.have.length(1));

    it('when a line quantity (or the lines together) exceeds MAX_QUANTITY, then refused quantity_out_of_range', () => {
      orders
        .given([])
        .when(place([{ sku: 'P-1', quantity: MAX_QUANTITY + 1, unitPrice: 0 }]))
        .thenRefuses('quantity_out_of_range');
      orders
        .given([])
        .when(
          place([
            { sku: 'P-1', quantity: MAX_QUANTITY, unitPrice: 0 },
            { sku: 'P-2', quantity: 1, unitPrice: 0 },
          ]),
        )
        .thenRefuses('quantity_out_of_range');
    });

    it('given an order, when its lines change to a total beyond 2^53 − 1, then refused amount_out_of_range', () =>
      orders
        .given(placedWith([{ sku: 'P-1', quantity: 1, unitPrice: 100 }]))
        .when({
          type: 'UpdateOrder',
          data: { lines: [{ sku: 'P-1', quantity: 99_999, unitPrice: 99_999_999_999 }], now },
        })
        .thenRefuses('amount_out_of_range'));
  });
});
