import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, level, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

// Cancelling what is left of an order: after a partial shipment, or some lines' units. Cancelled
// units give back their reservations and leave the wait list, so the stock goes to the next order.
describe('Cancelling what has not shipped: reservations released, wait list left, status by what shipped', function () {
  this.timeout(90_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let customerId: string;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
    customerId = await newCustomer(api);
  });
  after(async () => app?.stop());

  const ship = (orderId: string, lines: { sku: string; quantity: number }[]) =>
    api.post(`/v1/orders/${orderId}/shipments`, { lines, carrier: 'dhl' });
  const cancel = (orderId: string, body: object) => api.post(`/v1/orders/${orderId}/cancel`, body);
  /** The SKU's inventory events (every location), oldest first. */
  const skuEvents = async (sku: string) =>
    (await api.get(`/v1/inventory/${sku}/events?limit=200`)).body.data as {
      type: string;
      data: { orderId?: string; remaining?: number };
    }[];
  const waitListed = async (sku: string, orderId: string) => {
    let queued = false;
    for (const e of await skuEvents(sku)) {
      if (e.data.orderId !== orderId) continue;
      if (e.type === 'BackorderQueued' || e.type === 'BackorderUpdated') queued = true;
      if (e.type === 'BackorderDequeued' && e.data.remaining === 0) queued = false;
    }
    return queued;
  };

  it('ship part, cancel the rest → 200 shipped; its reservations are released, it leaves the wait list, the next order gets the stock', async () => {
    await adjust(api, 'PC-A', 3);
    const o = await placeOrder(api, customerId, [{ sku: 'PC-A', quantity: 5 }]);
    expect((await orderReaches(api, o.id, ['backordered'])).lines[0].reserved).to.equal(3);
    expect(await waitListed('PC-A', o.id)).to.equal(true);
    expect((await ship(o.id, [{ sku: 'PC-A', quantity: 2 }])).status).to.equal(201);
    await orderReaches(api, o.id, ['partially_shipped']);

    const res = await cancel(o.id, { reason: 'the customer will not wait for the rest' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.status).to.equal('shipped');
    expect(res.body.lines[0]).to.include({ quantity: 5, shipped: 2, reserved: 0, cancelled: 3 });
    expect(res.body.allowedActions).to.deep.equal([]);

    const l = await waitFor(
      () => level(api, 'PC-A'),
      (x) => x.reserved === 0,
      { what: 'the unshipped reservation released' },
    );
    expect(l).to.include({ onHand: 1, available: 1 });
    await waitFor(
      () => waitListed('PC-A', o.id),
      (q) => q === false,
      { what: 'the order off the wait list' },
    );
    const next = await placeOrder(api, customerId, [{ sku: 'PC-A', quantity: 1 }]);
    expect((await orderReaches(api, next.id, ['confirmed', 'backordered'])).status).to.equal('confirmed');
    expect((await api.get(`/v1/orders/${o.id}`)).body.status).to.equal('shipped');
    expectProblem(await cancel(o.id, { reason: 'again' }), 409, 'order_fully_shipped');
  });

  it('cancelling a backordered line leaves the wait list (the order is confirmed) and the next order gets the restock', async () => {
    await adjust(api, 'LC-A', 1);
    const first = await placeOrder(api, customerId, [
      { sku: 'LC-A', quantity: 1 },
      { sku: 'LC-B', quantity: 2 },
    ]);
    await orderReaches(api, first.id, ['backordered']);
    const second = await placeOrder(api, customerId, [{ sku: 'LC-B', quantity: 1 }]);
    await orderReaches(api, second.id, ['backordered']);
    expect(await waitListed('LC-B', first.id)).to.equal(true);

    const res = await cancel(first.id, { reason: 'out of stock too long', lines: [{ sku: 'LC-B', quantity: 2 }] });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.status).to.equal('confirmed');
    expect(res.body.lines[1]).to.include({ sku: 'LC-B', quantity: 2, reserved: 0, cancelled: 2 });
    await waitFor(
      () => waitListed('LC-B', first.id),
      (q) => q === false,
      { what: 'the cancelled line off the wait list' },
    );

    await adjust(api, 'LC-B', 1);
    expect((await orderReaches(api, second.id, ['confirmed'])).lines[0].reserved).to.equal(1);
    const after = (await api.get(`/v1/orders/${first.id}`)).body;
    expect(after.status).to.equal('confirmed');
    expect(after.lines[1].reserved).to.equal(0);
  });

  it('cancelling part of a confirmed line gives the excess back at once', async () => {
    await adjust(api, 'PL-A', 4);
    const o = await placeOrder(api, customerId, [{ sku: 'PL-A', quantity: 4 }]);
    await orderReaches(api, o.id, ['confirmed']);
    const res = await cancel(o.id, { reason: 'fewer', lines: [{ sku: 'PL-A', quantity: 3 }] });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.lines[0]).to.include({ reserved: 1, cancelled: 3 });
    const l = await waitFor(
      () => level(api, 'PL-A'),
      (x) => x.reserved === 1,
      { what: 'three units back' },
    );
    expect(l.available).to.equal(3);
  });

  it('every refusal has its status and code, and appends nothing', async () => {
    await adjust(api, 'RF-A', 2);
    const o = await placeOrder(api, customerId, [{ sku: 'RF-A', quantity: 2 }]);
    await orderReaches(api, o.id, ['confirmed']);
    const version = (await api.get(`/v1/orders/${o.id}`)).body.version;

    expectProblem(
      await cancel(o.id, { reason: 'x', lines: [{ sku: 'RF-A', quantity: 3 }] }),
      409,
      'quantity_exceeds_unshipped',
    );
    expectProblem(await cancel(o.id, { reason: 'x', lines: [{ sku: 'NOPE', quantity: 1 }] }), 422, 'unknown_line_sku');
    expectProblem(
      await cancel(o.id, {
        reason: 'x',
        lines: [
          { sku: 'RF-A', quantity: 1 },
          { sku: 'RF-A', quantity: 1 },
        ],
      }),
      422,
      'duplicate_line_sku',
    );
    expectProblem(await cancel(o.id, { reason: 'x', lines: [] }), 400, 'validation_failed');
    expectProblem(await cancel(o.id, { reason: 'x', lines: [{ sku: 'RF-A', quantity: 0 }] }), 400, 'validation_failed');
    expectProblem(await cancel('ord_00000000000000000000000000', { reason: 'x' }), 404, 'order_not_found');
    expectProblem(
      await api.post(`/v1/orders/${o.id}/cancel`, { reason: 'x' }, { 'If-Match': `"${version - 1}"` }),
      412,
      'version_mismatch',
    );
    expect((await api.get(`/v1/orders/${o.id}/events`)).body.data).to.have.length(version);

    expect((await cancel(o.id, { reason: 'x', lines: [{ sku: 'RF-A', quantity: 2 }] })).body.status).to.equal(
      'cancelled',
    );
    expectProblem(await cancel(o.id, { reason: 'again' }), 409, 'order_already_cancelled');
  });
});
