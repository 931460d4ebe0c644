// The shipment command handlers on the in-memory store: a shipment touches the order (the rule:
// reserved and unshipped), the inventory (commit) and its own stream; a refusal by the inventory
// is undone on the order; cancelling returns the quantities; delivery reaches the order.
import { expect } from 'chai';
import type { OrderEvent } from '../../domain/orders/events.ts';
import type { ShipmentEvent } from '../../domain/shipments/events.ts';
import { VersionMismatchError } from '../../src/commands/errors.ts';
import { inventoryStream } from '../../src/inventory/streams.ts';
import { cancelOrder, orderStream, updateOrder } from '../../src/orders/commands.ts';
import {
  completeShipment,
  createShipment,
  followShipmentStatus,
  recordTrackingEvent,
  shipmentStream,
} from '../../src/shipments/commands.ts';
import { given, NOW, on, TENANT, type Harness } from '../support/command-spec.ts';
import { allocationRecorded, order, orderConfirmed, orderPlaced, stock } from '../support/given-events.ts';

const DHL = { carrier: 'dhl', trackingNumber: 'JD01', service: null };
const ship = (lines: { sku: string; quantity: number }[], location?: string) => (h: Harness) =>
  createShipment(h.deps, h.ctx, { orderId: 'ord_1', lines, ...DHL, ...(location ? { location } : {}) });

/** ord_1: 2 × A and 1 × B, confirmed, both reserved at the default location. */
const confirmed = [
  order(
    'ord_1',
    orderPlaced('ord_1', 'cus_1', [
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 1 },
    ]),
    allocationRecorded('A', 2),
    allocationRecorded('B', 1),
    orderConfirmed,
  ),
  stock('A').received(10).reserved('ord_1', 2).history(),
  stock('B').received(5).reserved('ord_1', 1).history(),
];

const recorded = (
  shipmentId: string,
  lines: { sku: string; quantity: number }[],
  location = 'default',
): OrderEvent => ({
  type: 'OrderShipmentRecorded',
  data: { shipmentId, location, lines, occurredAt: NOW, details: DHL },
});
const stockShipped = (shipmentId: string, sku: string, quantity: number, onHand: number, location = 'default') => ({
  type: 'StockShipped',
  data: {
    sku,
    location,
    occurredAt: NOW,
    orderId: 'ord_1',
    shipmentId,
    quantity,
    orderReserved: 0,
    reason: 'shipment',
    onHandDelta: -quantity,
    reservedDelta: -quantity,
    onHand,
    reserved: 0,
  },
});
const created = (
  shipmentId: string,
  lines: { sku: string; quantity: number }[],
  location = 'default',
): ShipmentEvent => ({
  type: 'ShipmentCreated',
  data: { shipmentId, orderId: 'ord_1', lines, ...DHL, location, createdAt: NOW },
});

/** ord_1 (1 line, 2 × A) shipped in full as shp_1. */
const shipped = [
  order(
    'ord_1',
    orderPlaced('ord_1', 'cus_1', [{ sku: 'A', quantity: 2 }]),
    allocationRecorded('A', 2),
    orderConfirmed,
    recorded('shp_1', [{ sku: 'A', quantity: 2 }]),
    { type: 'OrderShipped', data: { occurredAt: NOW } },
  ),
  stock('A').received(10).reserved('ord_1', 2).shipped('ord_1', 'shp_1', 2).history(),
  on(shipmentStream(TENANT, 'shp_1'), created('shp_1', [{ sku: 'A', quantity: 2 }])),
];
const track = (status: 'cancelled' | 'delivered' | 'in_transit', expectedVersion?: number) => (h: Harness) =>
  recordTrackingEvent(h.deps, h.ctx, { shipmentId: 'shp_1', status, ...(expectedVersion ? { expectedVersion } : {}) });
/** The carrier update, then what the shipment follow-up job does about it. */
const trackAndFollow = (status: 'cancelled' | 'delivered') => async (h: Harness) => {
  await track(status)(h);
  await followShipmentStatus(h.deps, h.ctx, 'shp_1');
};

describe('Shipment commands (memory store)', () => {
  describe('createShipment', () => {
    it('when part of a confirmed order ships, then the order records it, the stock is committed and the shipment exists', async () => {
      const r = await given(...confirmed)
        .when(ship([{ sku: 'A', quantity: 2 }]))
        .then((r) => ({
          [orderStream(TENANT, 'ord_1')]: [recorded(r.shipment.id, [{ sku: 'A', quantity: 2 }])],
          [inventoryStream(TENANT, 'A', 'default')]: [stockShipped(r.shipment.id, 'A', 2, 8)],
          [shipmentStream(TENANT, r.shipment.id)]: [created(r.shipment.id, [{ sku: 'A', quantity: 2 }])],
        }));
      expect(r.shipment).to.include({ status: 'label_created', location: 'default', version: 1 });
    });

    it('when the rest ships too, then OrderShipped', () =>
      given(...confirmed)
        .and(ship([{ sku: 'A', quantity: 2 }]))
        .when(ship([{ sku: 'B', quantity: 1 }]))
        .then((r) => ({
          [orderStream(TENANT, 'ord_1')]: [
            recorded(r.shipment.id, [{ sku: 'B', quantity: 1 }]),
            { type: 'OrderShipped' },
          ],
          [inventoryStream(TENANT, 'B', 'default')]: [stockShipped(r.shipment.id, 'B', 1, 4)],
          [shipmentStream(TENANT, r.shipment.id)]: [{ type: 'ShipmentCreated' }],
        })));

    it('without a location, then it ships from the one location holding the reservation', () =>
      given(
        order('ord_1', orderPlaced('ord_1', 'cus_1', [{ sku: 'A', quantity: 2 }]), allocationRecorded('A', 2, 'east')),
        stock('A', 'east').received(3).reserved('ord_1', 2).history(),
      )
        .when(ship([{ sku: 'A', quantity: 2 }]))
        .then((r) => ({
          [orderStream(TENANT, 'ord_1')]: [
            recorded(r.shipment.id, [{ sku: 'A', quantity: 2 }], 'east'),
            { type: 'OrderShipped' },
          ],
          [inventoryStream(TENANT, 'A', 'east')]: [stockShipped(r.shipment.id, 'A', 2, 1, 'east')],
          [shipmentStream(TENANT, r.shipment.id)]: [created(r.shipment.id, [{ sku: 'A', quantity: 2 }], 'east')],
        })));

    it('when more ships than is reserved and unshipped, then refused quantity_exceeds_unshipped and nothing appended', () =>
      given(...confirmed)
        .and(ship([{ sku: 'A', quantity: 1 }]))
        .when(ship([{ sku: 'A', quantity: 2 }]))
        .thenRefuses('quantity_exceeds_unshipped'));

    it('when a SKU not on the order ships, then refused unknown_line_sku', () =>
      given(...confirmed)
        .when(ship([{ sku: 'Z', quantity: 1 }]))
        .thenRefuses('unknown_line_sku'));

    it('given no order, when shipped, then refused order_not_found', () =>
      given()
        .when(ship([{ sku: 'A', quantity: 1 }]))
        .thenRefuses('order_not_found'));

    it('given a shipment, when the order is edited, then refused order_not_editable', () =>
      given(...confirmed)
        .and(ship([{ sku: 'A', quantity: 1 }]))
        .when((h) => updateOrder(h.deps, h.ctx, { orderId: 'ord_1', notes: 'too late' }))
        .thenRefuses('order_not_editable'));

    it('given a shipment, when the order is cancelled, then its unshipped units are cancelled and it is shipped', () =>
      given(...confirmed)
        .and(ship([{ sku: 'A', quantity: 1 }]))
        .when((h) => cancelOrder(h.deps, h.ctx, { orderId: 'ord_1', reason: 'the rest is late' }))
        .then(() => ({
          [orderStream(TENANT, 'ord_1')]: [{ type: 'OrderLinesCancelled' }, { type: 'OrderShipped' }],
        })));

    it('given everything shipped, when the order is cancelled, then refused order_fully_shipped', () =>
      given(...confirmed)
        .and(
          ship([
            { sku: 'A', quantity: 2 },
            { sku: 'B', quantity: 1 },
          ]),
        )
        .when((h) => cancelOrder(h.deps, h.ctx, { orderId: 'ord_1', reason: 'too late' }))
        .thenRefuses('order_fully_shipped'));

    it('given the inventory holds less than the order believes, when shipped, then refused and the shipment undone on the order', () =>
      given(
        order(
          'ord_1',
          orderPlaced('ord_1', 'cus_1', [{ sku: 'A', quantity: 2 }]),
          allocationRecorded('A', 2),
          orderConfirmed,
        ),
        stock('A').received(10).reserved('ord_1', 1).history(),
      )
        .when(ship([{ sku: 'A', quantity: 2 }]))
        .thenRefuses('quantity_exceeds_unshipped', {
          [orderStream(TENANT, 'ord_1')]: [
            { type: 'OrderShipmentRecorded' },
            { type: 'OrderShipped' },
            { type: 'OrderShipmentCancelled' },
          ],
        }));

    it('given a shipment recorded on the order only (a crash), when the follow-up completes it, then commit and shipment; again: nothing', async () => {
      const crashed = [
        order(
          'ord_1',
          orderPlaced('ord_1', 'cus_1', [{ sku: 'A', quantity: 2 }]),
          allocationRecorded('A', 2),
          orderConfirmed,
          recorded('shp_1', [{ sku: 'A', quantity: 2 }]),
        ),
        stock('A').received(10).reserved('ord_1', 2).history(),
      ];
      const complete = (h: Harness) => completeShipment(h.deps, h.ctx, 'ord_1', 'shp_1');
      await given(...crashed)
        .when(complete)
        .then({
          [inventoryStream(TENANT, 'A', 'default')]: [stockShipped('shp_1', 'A', 2, 8)],
          [shipmentStream(TENANT, 'shp_1')]: [created('shp_1', [{ sku: 'A', quantity: 2 }])],
        });
      await given(...crashed)
        .and(complete)
        .when(complete)
        .thenNothingHappens();
    });
  });

  describe('recordTrackingEvent and its follow-up', () => {
    it('given a shipped order, when its shipment is cancelled, then the units return to reserved and the order is told', () =>
      given(...shipped)
        .when(trackAndFollow('cancelled'))
        .then({
          [shipmentStream(TENANT, 'shp_1')]: [{ type: 'ShipmentStatusChanged' }],
          [inventoryStream(TENANT, 'A', 'default')]: [
            {
              type: 'StockUnshipped',
              data: {
                sku: 'A',
                location: 'default',
                occurredAt: NOW,
                orderId: 'ord_1',
                shipmentId: 'shp_1',
                quantity: 2,
                orderReserved: 2,
                reason: 'shipment_cancelled',
                onHandDelta: 2,
                reservedDelta: 2,
                onHand: 10,
                reserved: 2,
              },
            },
          ],
          [orderStream(TENANT, 'ord_1')]: [
            { type: 'OrderShipmentCancelled', data: { shipmentId: 'shp_1', occurredAt: NOW } },
          ],
        }));

    it('given a shipped order, when its only shipment is delivered, then the order is delivered', () =>
      given(...shipped)
        .when(trackAndFollow('delivered'))
        .then({
          [shipmentStream(TENANT, 'shp_1')]: [{ type: 'ShipmentStatusChanged' }],
          [orderStream(TENANT, 'ord_1')]: [
            { type: 'OrderShipmentDelivered', data: { shipmentId: 'shp_1', occurredAt: NOW } },
            { type: 'OrderDelivered', data: { occurredAt: NOW } },
          ],
        }));

    it('given a shipped order, when its shipment is cancelled, then the answer comes after the units are back on the order and the stock', () =>
      given(...shipped)
        .when(track('cancelled'))
        .then({
          [shipmentStream(TENANT, 'shp_1')]: [{ type: 'ShipmentStatusChanged' }],
          [inventoryStream(TENANT, 'A', 'default')]: [{ type: 'StockUnshipped' }],
          [orderStream(TENANT, 'ord_1')]: [{ type: 'OrderShipmentCancelled' }],
        }));

    it('given a shipment just cancelled, when its units ship again at once, then they ship', () =>
      given(...shipped)
        .and(track('cancelled'))
        .when(ship([{ sku: 'A', quantity: 2 }]))
        .then((r) => ({
          [orderStream(TENANT, 'ord_1')]: [
            recorded(r.shipment.id, [{ sku: 'A', quantity: 2 }]),
            { type: 'OrderShipped' },
          ],
          [inventoryStream(TENANT, 'A', 'default')]: [stockShipped(r.shipment.id, 'A', 2, 8)],
          [shipmentStream(TENANT, r.shipment.id)]: [{ type: 'ShipmentCreated' }],
        })));

    it('given in transit, when cancelled, then refused invalid_shipment_transition', () =>
      given(...shipped)
        .and(track('in_transit'))
        .when(track('cancelled'))
        .thenRefuses('invalid_shipment_transition'));

    it('given no shipment, when tracked, then refused shipment_not_found', () =>
      given().when(track('in_transit')).thenRefuses('shipment_not_found'));

    describe('time rules', () => {
      /** A carrier update dated `occurredAt`, arriving at `now` (NOW by default). */
      const trackAt =
        (status: 'cancelled' | 'delivered' | 'in_transit', occurredAt: string, now = NOW) =>
        (h: Harness) =>
          recordTrackingEvent(h.deps, h.request({ now }), { shipmentId: 'shp_1', status, occurredAt });
      const later = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

      it('given in transit, when a cancel back-dated to before the shipment existed arrives, then refused occurred_at_out_of_range', () =>
        given(...shipped)
          .and(track('in_transit'))
          .when(trackAt('cancelled', '2026-11-27T10:00:00Z'))
          .thenRefuses('occurred_at_out_of_range'));

      it('given in transit since 12:00, when a cancel back-dated to 11:00 arrives, then refused invalid_shipment_transition and nothing follows', () =>
        given(...shipped)
          .and(trackAt('in_transit', later(120), later(120)))
          .when(async (h) => {
            await trackAt('cancelled', later(60), later(180))(h);
            await followShipmentStatus(h.deps, h.ctx, 'shp_1');
          })
          .thenRefuses('invalid_shipment_transition'));

      it('when an update is dated 9999-12-31, then refused occurred_at_out_of_range, and a later delivery still counts', async () => {
        await given(...shipped)
          .when(trackAt('in_transit', '9999-12-31T23:59:59Z'))
          .thenRefuses('occurred_at_out_of_range');
        const r = await given(...shipped)
          .and(trackAt('in_transit', later(1), later(1)))
          .when(trackAt('delivered', later(2), later(2)))
          .then({
            [shipmentStream(TENANT, 'shp_1')]: [{ type: 'ShipmentStatusChanged' }],
            [orderStream(TENANT, 'ord_1')]: [{ type: 'OrderShipmentDelivered' }, { type: 'OrderDelivered' }],
          });
        expect(r.shipment.status).to.equal('delivered');
      });

      it('when an update is dated within the clock skew past now, then it counts', () =>
        given(...shipped)
          .when(trackAt('in_transit', later(4)))
          .then({ [shipmentStream(TENANT, 'shp_1')]: [{ type: 'ShipmentStatusChanged' }] }));
    });

    it('when If-Match names an older version, then VersionMismatchError and nothing appended', () =>
      given(...shipped)
        .and(track('in_transit'))
        .when(track('delivered', 1))
        .thenFails(VersionMismatchError));
  });
});
