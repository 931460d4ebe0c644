import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, level, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

describe('Shipments over HTTP: partial and split shipments, stock commit, order status following, tracking', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let customerId: string;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
    customerId = await newCustomer(api);
  });
  after(async () => app?.stop());

  const ship = (orderId: string, lines: { sku: string; quantity: number }[], extra: object = {}) =>
    api.post(`/v1/orders/${orderId}/shipments`, { lines, carrier: 'dhl', ...extra });
  const track = (shipmentId: string, status: string, extra: object = {}) =>
    api.post(`/v1/shipments/${shipmentId}/events`, { status, ...extra });

  it('ship 2 of 3 → partially_shipped with stock committed; over-ship refused; the rest → shipped; all delivered → delivered', async () => {
    await adjust(api, 'SHIP-A', 10);
    await adjust(api, 'SHIP-B', 10);
    const o = await placeOrder(api, customerId, [
      { sku: 'SHIP-A', quantity: 2 },
      { sku: 'SHIP-B', quantity: 1 },
    ]);
    await orderReaches(api, o.id, ['confirmed']);

    const first = await ship(o.id, [{ sku: 'SHIP-A', quantity: 2 }], {
      trackingNumber: 'JD000111',
      service: 'express',
    });
    expect(first.status, first.text).to.equal(201);
    expect(first.body).to.include({
      orderId: o.id,
      status: 'label_created',
      carrier: 'dhl',
      trackingNumber: 'JD000111',
      location: 'default',
    });
    expect(first.body.events.map((e: { status: string }) => e.status)).to.deep.equal(['label_created']);
    expect(first.body.id).to.match(/^shp_/);
    const partial = await orderReaches(api, o.id, ['partially_shipped']);
    expect(partial.lines[0]).to.include({ shipped: 2, reserved: 0 });
    expect(partial.allowedActions).to.deep.equal(['cancel', 'ship']);
    const a = await waitFor(
      () => level(api, 'SHIP-A'),
      (l) => l.onHand === 8,
      { what: 'SHIP-A committed' },
    );
    expect(a).to.include({ onHand: 8, reserved: 0, available: 8 });
    const moves = await api.get('/v1/inventory/SHIP-A/movements');
    expect(moves.body.data[0]).to.include({
      type: 'StockShipped',
      onHandDelta: -2,
      reservedDelta: -2,
      shipmentId: first.body.id,
      orderId: o.id,
    });

    expectProblem(await ship(o.id, [{ sku: 'SHIP-B', quantity: 2 }]), 409, 'quantity_exceeds_unshipped');
    expectProblem(await ship(o.id, [{ sku: 'SHIP-A', quantity: 1 }]), 409, 'quantity_exceeds_unshipped');
    expectProblem(await ship(o.id, [{ sku: 'NOT-ON-ORDER', quantity: 1 }]), 422, 'unknown_line_sku');
    expectProblem(await api.patch(`/v1/orders/${o.id}`, { notes: 'too late' }), 409, 'order_not_editable');

    const second = await ship(o.id, [{ sku: 'SHIP-B', quantity: 1 }]);
    expect(second.status, second.text).to.equal(201);
    await orderReaches(api, o.id, ['shipped']);
    expectProblem(await api.post(`/v1/orders/${o.id}/cancel`, { reason: 'too late' }), 409, 'order_fully_shipped');

    for (const s of [first.body.id, second.body.id]) {
      expect((await track(s, 'in_transit', { location: 'Leipzig hub' })).status).to.equal(201);
    }
    expect((await track(first.body.id, 'delivered')).body.status).to.equal('delivered');
    await waitFor(
      () => api.get(`/v1/orders/${o.id}`),
      (r) => r.body.status === 'shipped',
      { what: 'still shipped with one delivery left' },
    );
    await track(second.body.id, 'out_for_delivery');
    await track(second.body.id, 'delivered');
    const delivered = await orderReaches(api, o.id, ['delivered']);
    expect(delivered.allowedActions).to.deep.equal([]);
  });

  it('a damage write-off that takes the unshipped units of a partially shipped order shows on the order, and a restock gives them back', async () => {
    await adjust(api, 'SHORT-A', 2);
    await adjust(api, 'SHORT-B', 3);
    const o = await placeOrder(api, customerId, [
      { sku: 'SHORT-A', quantity: 2 },
      { sku: 'SHORT-B', quantity: 3 },
    ]);
    await orderReaches(api, o.id, ['confirmed']);
    expect((await ship(o.id, [{ sku: 'SHORT-A', quantity: 2 }])).status).to.equal(201);
    await orderReaches(api, o.id, ['partially_shipped']);

    await adjust(api, 'SHORT-B', -2); // only 1 of the 3 reserved units is left
    const short = await waitFor(
      () => api.get(`/v1/orders/${o.id}`),
      (r) => r.body.lines[1].reserved === 1,
      { what: 'the order to lose 2 units of SHORT-B' },
    );
    expect(short.body.status).to.equal('partially_shipped');
    expect((await level(api, 'SHORT-B')).reserved).to.equal(1);

    await adjust(api, 'SHORT-B', 5);
    const back = await waitFor(
      () => api.get(`/v1/orders/${o.id}`),
      (r) => r.body.lines[1].reserved === 3,
      { what: 'the restock to return to the order' },
    );
    expect(back.body.status).to.equal('partially_shipped');
    expect(
      await waitFor(
        () => level(api, 'SHORT-B'),
        (l) => l.reserved === 3,
        { what: 'inventory to hold 3 for the order' },
      ),
    ).to.include({ onHand: 6, reserved: 3 });
    expect((await ship(o.id, [{ sku: 'SHORT-B', quantity: 3 }])).status).to.equal(201);
    await orderReaches(api, o.id, ['shipped']);
  });

  it("a cancelled shipment's quantities return to reserved and can ship again; cancel is only allowed before in_transit", async () => {
    await adjust(api, 'SHIP-C', 5);
    const o = await placeOrder(api, customerId, [{ sku: 'SHIP-C', quantity: 2 }]);
    await orderReaches(api, o.id, ['confirmed']);
    const s = await ship(o.id, [{ sku: 'SHIP-C', quantity: 2 }]);
    await orderReaches(api, o.id, ['shipped']);
    const cancelled = await track(s.body.id, 'cancelled', { description: 'label voided' });
    expect(cancelled.status, cancelled.text).to.equal(201);
    expect(cancelled.body.status).to.equal('cancelled');
    // The units are back when the cancel answers: they ship again at once.
    const again = await ship(o.id, [{ sku: 'SHIP-C', quantity: 2 }]);
    expect(again.status, again.text).to.equal(201);
    await waitFor(
      () => level(api, 'SHIP-C'),
      (l) => l.onHand === 3 && l.reserved === 0,
      { what: 'stock shipped again' },
    );
    await track(again.body.id, 'in_transit');
    expectProblem(await track(again.body.id, 'cancelled'), 409, 'invalid_shipment_transition');
    await track(again.body.id, 'delivered');
    expectProblem(await track(again.body.id, 'in_transit'), 409, 'invalid_shipment_transition');
  });

  it('carrier times: before the shipment or past now + 5 min is 422; a back-dated cancel obeys the transitions', async () => {
    await adjust(api, 'SHIP-E', 1);
    const o = await placeOrder(api, customerId, [{ sku: 'SHIP-E', quantity: 1 }]);
    await orderReaches(api, o.id, ['confirmed']);
    const s = await ship(o.id, [{ sku: 'SHIP-E', quantity: 1 }]);
    const id = s.body.id;
    const sinceCreation = (seconds: number) => new Date(Date.parse(s.body.createdAt) + seconds * 1000).toISOString();
    const frozen = await track(id, 'in_transit', { occurredAt: '9999-12-31T23:59:59Z' });
    expectProblem(frozen, 422, 'occurred_at_out_of_range');
    expect((await track(id, 'in_transit', { occurredAt: sinceCreation(2) })).status).to.equal(201);
    expectProblem(await track(id, 'cancelled'), 409, 'invalid_shipment_transition');
    const beforeCreation = new Date(Date.parse(s.body.createdAt) - 24 * 3600_000).toISOString();
    expectProblem(await track(id, 'cancelled', { occurredAt: beforeCreation }), 422, 'occurred_at_out_of_range');
    expectProblem(await track(id, 'cancelled', { occurredAt: sinceCreation(1) }), 409, 'invalid_shipment_transition');
    const delivered = await track(id, 'delivered', { occurredAt: sinceCreation(3) });
    expect(delivered.status, delivered.text).to.equal(201);
    expect(delivered.body.status).to.equal('delivered');
    expect(delivered.body.events.map((e: { status: string }) => e.status)).to.deep.equal([
      'label_created',
      'in_transit',
      'delivered',
    ]);
  });

  it('late carrier events join the timeline in time order without moving the status back; tracking lookup and lists', async () => {
    await adjust(api, 'SHIP-D', 1);
    const o = await placeOrder(api, customerId, [{ sku: 'SHIP-D', quantity: 1 }]);
    await orderReaches(api, o.id, ['confirmed']);
    const s = await ship(o.id, [{ sku: 'SHIP-D', quantity: 1 }], { trackingNumber: 'LATE-42' });
    const sinceCreation = (seconds: number) => new Date(Date.parse(s.body.createdAt) + seconds * 1000).toISOString();
    await track(s.body.id, 'in_transit', { occurredAt: sinceCreation(1) });
    await track(s.body.id, 'out_for_delivery', { occurredAt: sinceCreation(3) });
    const late = await track(s.body.id, 'exception', {
      occurredAt: sinceCreation(2),
      carrierCode: 'X7',
      description: 'sorting delay',
    });
    expect(late.status).to.equal(201);
    expect(late.body.status).to.equal('out_for_delivery');
    const carrierEvents = late.body.events.filter((e: { status: string }) => e.status !== 'label_created');
    expect(carrierEvents.map((e: { status: string }) => e.status)).to.deep.equal([
      'in_transit',
      'exception',
      'out_for_delivery',
    ]);
    const found = await waitFor(
      () => api.get('/v1/tracking/LATE-42'),
      (r) => r.status === 200 && r.body.data[0].events.length === 4,
      { what: 'tracking lookup with all four entries' },
    );
    expect(found.body.data[0].status).to.equal('out_for_delivery');
    const byOrder = await api.get(`/v1/shipments?orderId=${o.id}`);
    expect(byOrder.body.data.map((x: { id: string }) => x.id)).to.deep.equal([s.body.id]);
    const byStatus = await api.get('/v1/shipments?status=out_for_delivery');
    expect(byStatus.body.data.map((x: { id: string }) => x.id)).to.include(s.body.id);
    expectProblem(await api.get('/v1/tracking/NOPE-1'), 404, 'shipment_not_found');
    expectProblem(await api.get('/v1/shipments/shp_00000000000000000000000000'), 404, 'shipment_not_found');
    expectProblem(await track('shp_00000000000000000000000000', 'in_transit'), 404, 'shipment_not_found');
    expectProblem(await track(s.body.id, 'teleported'), 400, 'validation_failed');
    expectProblem(
      await ship('ord_00000000000000000000000000', [{ sku: 'SHIP-D', quantity: 1 }]),
      404,
      'order_not_found',
    );
  });
});
