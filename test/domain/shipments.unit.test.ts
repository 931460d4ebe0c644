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

const at = (iso: string, now: string, status: TrackingStatus = 'in_transit'): ShipmentCommand => ({
  type: 'RecordTrackingEvent',
  data: { status, occurredAt: iso, location: null, description: null, carrierCode: null, now },
});
const recorded = (
  type: 'ShipmentStatusChanged' | 'ShipmentTrackingEventRecorded',
  status: TrackingStatus,
  occurredAt: string,
  now: string,
  previousStatus?: ShipmentStatus,
): ShipmentEvent =>
  ({
    type,
    data: {
      shipmentId: 'shp_1',
      orderId: 'ord_1',
      status,
      ...(previousStatus ? { previousStatus } : {}),
      occurredAt,
      location: null,
      description: null,
      carrierCode: null,
      recordedAt: now,
    },
  }) as ShipmentEvent;

describe('Shipment decider: clocks', () => {
  it('given a shipment created at 08:00, when the first carrier update is dated 07:57 (within the clock skew), then the status moves and label_created stays first', () => {
    const when = at('2026-11-28T07:57:00.000Z', t(9));
    spec
      .given([created])
      .when(when)
      .then([recorded('ShipmentStatusChanged', 'in_transit', '2026-11-28T07:57:00.000Z', t(9), 'label_created')]);
    const s = fold([created, ...shipmentDecider.decide(when, fold([created]))]);
    expect(s.status !== 'none' && s.timeline.map((e) => e.status)).to.deep.equal(['label_created', 'in_transit']);
  });

  it('given a shipment created at 08:00, when an update is dated 07:00 (before it existed), then refused occurred_at_out_of_range', () =>
    spec
      .given([created])
      .when(track('in_transit', 7, 9))
      .thenRefuses('occurred_at_out_of_range'));

  it('given an in_transit shipment, when a cancel is back-dated to before its creation, then refused occurred_at_out_of_range', () =>
    spec
      .given([created, changed('in_transit', 'label_created', 9)])
      .when(at('2026-11-27T10:00:00.000Z', t(10), 'cancelled'))
      .thenRefuses('occurred_at_out_of_range'));

  it('when an update is dated beyond the clock skew past now (9999-12-31), then refused occurred_at_out_of_range', () =>
    spec
      .given([created])
      .when(at('9999-12-31T23:59:59.000Z', t(9)))
      .thenRefuses('occurred_at_out_of_range'));

  it('when an update is dated 6 minutes past now, then refused occurred_at_out_of_range; 4 minutes: accepted', () => {
    spec
      .given([created])
      .when(at('2026-11-28T09:06:00.000Z', t(9)))
      .thenRefuses('occurred_at_out_of_range');
    spec
      .given([created])
      .when(at('2026-11-28T09:04:00.000Z', t(9)))
      .then([recorded('ShipmentStatusChanged', 'in_transit', '2026-11-28T09:04:00.000Z', t(9), 'label_created')]);
  });
});

describe('Shipment decider: late updates keep the timeline a valid path', () => {
  it('given in_transit at 10:00, when a cancel back-dated to 09:00 arrives, then refused invalid_shipment_transition (cancel only before in_transit)', () =>
    spec
      .given([created, changed('in_transit', 'label_created', 10)])
      .when(track('cancelled', 9, 11))
      .thenRefuses('invalid_shipment_transition'));

  it('given out_for_delivery at 09:00 and delivered at 12:00, when a late in_transit at 10:00 arrives, then refused invalid_shipment_transition', () =>
    spec
      .given([created, changed('out_for_delivery', 'label_created', 9), changed('delivered', 'out_for_delivery', 12)])
      .when(track('in_transit', 10, 13))
      .thenRefuses('invalid_shipment_transition'));

  it('given delivered at 12:00, when a late delivered at 11:00 arrives, then refused invalid_shipment_transition', () =>
    spec
      .given([created, changed('in_transit', 'label_created', 9), changed('delivered', 'in_transit', 12)])
      .when(track('delivered', 11, 13))
      .thenRefuses('invalid_shipment_transition'));

  it('given a cancelled shipment, when a late in_transit from before the cancel arrives, then refused invalid_shipment_transition', () =>
    spec
      .given([created, changed('cancelled', 'label_created', 10)])
      .when(track('in_transit', 9, 11))
      .thenRefuses('invalid_shipment_transition'));

  it('given in_transit at 10:00, when a late cancel at 11:00 is reported after delivered at 12:00, then refused invalid_shipment_transition', () =>
    spec
      .given([created, changed('in_transit', 'label_created', 10), changed('delivered', 'in_transit', 12)])
      .when(track('cancelled', 11, 13))
      .thenRefuses('invalid_shipment_transition'));
});
