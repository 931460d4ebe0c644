import { expect } from 'chai';
import type { ShipmentCommand } from '../../domain/shipments/commands.ts';
import { shipmentDecider } from '../../domain/shipments/decider.ts';
import type { ShipmentEvent, ShipmentStatus, TrackingStatus } from '../../domain/shipments/events.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(shipmentDecider);
const t = (h: number) => `2026-11-28T${String(h).padStart(2, '0')}:00:00.000Z`;
const created: ShipmentEvent = {
  type: 'ShipmentCreated',
  data: {
    shipmentId: 'shp_1',
    orderId: 'ord_1',
    lines: [{ sku: 'A', quantity: 2 }],
    carrier: 'dhl',
    trackingNumber: 'JD0001',
    service: 'express',
    location: 'default',
    createdAt: t(8),
  },
};
const changed = (status: ShipmentStatus, previousStatus: ShipmentStatus, h: number): ShipmentEvent => ({
  type: 'ShipmentStatusChanged',
  data: {
    shipmentId: 'shp_1',
    orderId: 'ord_1',
    status,
    previousStatus,
    occurredAt: t(h),
    location: null,
    description: null,
    carrierCode: null,
    recordedAt: t(h),
  },
});
const track = (status: TrackingStatus, h: number, now = h): ShipmentCommand => ({
  type: 'RecordTrackingEvent',
  data: { status, occurredAt: t(h), location: null, description: null, carrierCode: null, now: t(now) },
});
const fold = (events: ShipmentEvent[]) => events.reduce(shipmentDecider.evolve, shipmentDecider.initialState());

describe('Shipment decider', () => {
  it('given nothing, when created, then ShipmentCreated with status label_created', () => {
    const { createdAt, ...rest } = created.data;
    spec
      .given([])
      .when({ type: 'CreateShipment', data: { ...rest, now: createdAt } })
      .then([created]);
    expect(fold([created]).status).to.equal('label_created');
  });

  it('given a shipment, when created again, then refused shipment_already_exists', () => {
    const { createdAt, ...rest } = created.data;
    spec
      .given([created])
      .when({ type: 'CreateShipment', data: { ...rest, now: createdAt } })
      .thenRefuses('shipment_already_exists');
  });

  it('given no shipment, when a tracking event arrives, then refused shipment_not_found', () =>
    spec.given([]).when(track('in_transit', 9)).thenRefuses('shipment_not_found'));

  const path: [ShipmentStatus, TrackingStatus][] = [
    ['label_created', 'in_transit'],
    ['in_transit', 'out_for_delivery'],
    ['out_for_delivery', 'delivered'],
    ['in_transit', 'exception'],
    ['exception', 'in_transit'],
    ['out_for_delivery', 'exception'],
    ['in_transit', 'returned'],
    ['exception', 'returned'],
    ['label_created', 'cancelled'],
  ];
  for (const [from, to] of path) {
    it(`given ${from}, when ${to} is reported, then ShipmentStatusChanged`, () => {
      const given = from === 'label_created' ? [created] : [created, changed(from, 'label_created', 9)];
      spec
        .given(given)
        .when(track(to, 10))
        .then([changed(to, from, 10)]);
    });
  }

  const refused: [ShipmentStatus, TrackingStatus][] = [
    ['in_transit', 'cancelled'],
    ['out_for_delivery', 'cancelled'],
    ['delivered', 'in_transit'],
    ['delivered', 'exception'],
    ['cancelled', 'in_transit'],
    ['returned', 'delivered'],
    ['out_for_delivery', 'in_transit'],
  ];
  for (const [from, to] of refused) {
    it(`given ${from}, when ${to} is reported, then refused invalid_shipment_transition`, () =>
      spec
        .given([created, changed(from, 'label_created', 9)])
        .when(track(to, 10))
        .thenRefuses('invalid_shipment_transition'));
  }

  it('a late carrier event (older occurredAt) joins the timeline in time order and never moves the status back', () => {
    const given = [created, changed('in_transit', 'label_created', 9), changed('out_for_delivery', 'in_transit', 11)];
    spec
      .given(given)
      .when(track('in_transit', 10, 12))
      .then([
        {
          type: 'ShipmentTrackingEventRecorded',
          data: {
            shipmentId: 'shp_1',
            orderId: 'ord_1',
            status: 'in_transit',
            occurredAt: t(10),
            location: null,
            description: null,
            carrierCode: null,
            recordedAt: t(12),
          },
        },
      ]);
    const s = fold([...given, ...shipmentDecider.decide(track('in_transit', 10, 12), fold(given))]);
    expect(s.status).to.equal('out_for_delivery');
    expect(s.status !== 'none' && s.timeline.map((e) => [e.status, e.occurredAt])).to.deep.equal([
      ['label_created', t(8)],
      ['in_transit', t(9)],
      ['in_transit', t(10)],
      ['out_for_delivery', t(11)],
    ]);
  });

  it('a late event is accepted even after a terminal status (history only)', () =>
    spec
      .given([created, changed('in_transit', 'label_created', 9), changed('delivered', 'in_transit', 12)])
      .when(track('out_for_delivery', 11, 13))
      .then([
        {
          type: 'ShipmentTrackingEventRecorded',
          data: {
            shipmentId: 'shp_1',
            orderId: 'ord_1',
            status: 'out_for_delivery',
            occurredAt: t(11),
            location: null,
            description: null,
            carrierCode: null,
            recordedAt: t(13),
          },
        },
      ]));
});

describe('Shipment decider: clocks', () => {
  it('the first carrier update moves the status even if the carrier clock is behind label creation', () =>
    spec
      .given([created])
      .when(track('in_transit', 7, 9))
      .then([
        {
          type: 'ShipmentStatusChanged',
          data: {
            shipmentId: 'shp_1',
            orderId: 'ord_1',
            status: 'in_transit',
            previousStatus: 'label_created',
            occurredAt: t(7),
            location: null,
            description: null,
            carrierCode: null,
            recordedAt: t(9),
          },
        },
      ]));
});
