import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust, level, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

describe('Orders and inventory: asynchronous allocation, FIFO backorders, no oversell', function () {
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

  const settled = ['confirmed', 'backordered'];

  it('50 concurrent single-unit orders for a SKU with 20 units → exactly 20 confirmed, 30 backordered, reserved 20, available 0', async () => {
    await adjust(api, 'HOT-1', 20);
    const orders = await Promise.all(
      Array.from({ length: 50 }, () => placeOrder(api, customerId, [{ sku: 'HOT-1', quantity: 1 }])),
    );
    const final = await Promise.all(orders.map((o) => orderReaches(api, o.id, settled, 60_000)));
    const confirmed = final.filter((o) => o.status === 'confirmed');
    expect(confirmed).to.have.length(20);
    expect(final.filter((o) => o.status === 'backordered')).to.have.length(30);
    for (const o of confirmed) expect(o.lines[0].reserved).to.equal(1);
    const l = await waitFor(
      () => level(api, 'HOT-1'),
      (x) => x.reserved === 20,
      { what: 'reserved = 20 in the read model' },
    );
    expect(l).to.include({ onHand: 20, reserved: 20, available: 0 });
  });

  it('FIFO: restocking one unit confirms the oldest backorder and no other; cancelling a confirmed order hands its unit to the next', async () => {
    await adjust(api, 'FIFO-1', 1);
    const first = await placeOrder(api, customerId, [{ sku: 'FIFO-1', quantity: 1 }]);
    expect((await orderReaches(api, first.id, settled)).status).to.equal('confirmed');
    const waiting = [];
    for (let i = 0; i < 3; i++) {
      const o = await placeOrder(api, customerId, [{ sku: 'FIFO-1', quantity: 1 }]);
      expect((await orderReaches(api, o.id, settled)).status).to.equal('backordered');
      waiting.push(o);
    }
    await adjust(api, 'FIFO-1', 1);
    expect((await orderReaches(api, waiting[0]!.id, ['confirmed'])).status).to.equal('confirmed');
    // The others stay backordered (give the jobs a fair chance to do something wrong first).
    await waitFor(
      () => level(api, 'FIFO-1'),
      (x) => x.reserved === 2,
      { what: 'two units reserved' },
    );
    for (const o of waiting.slice(1)) expect((await api.get(`/v1/orders/${o.id}`)).body.status).to.equal('backordered');

    const cancelled = await api.post(`/v1/orders/${first.id}/cancel`, { reason: 'customer changed their mind' });
    expect(cancelled.status, cancelled.text).to.equal(200);
    expect(cancelled.body.status).to.equal('cancelled');
    expect((await orderReaches(api, waiting[1]!.id, ['confirmed'])).status).to.equal('confirmed');
    expect((await api.get(`/v1/orders/${waiting[2]!.id}`)).body.status).to.equal('backordered');
    const l = await waitFor(
      () => level(api, 'FIFO-1'),
      (x) => x.reserved === 2,
      { what: 'reserved back at 2' },
    );
    expect(l.available).to.equal(0);
  });

  it('fills a line from the default location first, then other locations with stock', async () => {
    await adjust(api, 'MULTI-1', 2);
    const east = await adjust(api, 'MULTI-1', 5, 'east');
    // Other locations are found through the inventory read model: let it show east first.
    await api.get('/v1/inventory/MULTI-1', { 'Oms-Min-Position': east.headers.get('oms-position')! });
    const o = await placeOrder(api, customerId, [{ sku: 'MULTI-1', quantity: 4 }]);
    const done = await orderReaches(api, o.id, ['confirmed']);
    expect(done.lines[0].reserved).to.equal(4);
    const l = await waitFor(
      () => level(api, 'MULTI-1'),
      (x) => x.reserved === 4,
      { what: 'reserved 4' },
    );
    expect(l.locations).to.deep.equal([
      { location: 'default', onHand: 2, reserved: 2, available: 0 },
      { location: 'east', onHand: 5, reserved: 2, available: 3 },
    ]);
  });

  it('changing lines re-allocates: fewer units release the excess, more units reserve more', async () => {
    await adjust(api, 'EDIT-1', 5);
    const o = await placeOrder(api, customerId, [{ sku: 'EDIT-1', quantity: 3 }]);
    await orderReaches(api, o.id, ['confirmed']);
    const patched = await api.patch(`/v1/orders/${o.id}`, { lines: [{ sku: 'EDIT-1', quantity: 1, unitPrice: 1000 }] });
    expect(patched.status, patched.text).to.equal(200);
    await waitFor(
      () => level(api, 'EDIT-1'),
      (x) => x.reserved === 1,
      { what: 'excess released' },
    );
    await api.patch(`/v1/orders/${o.id}`, { lines: [{ sku: 'EDIT-1', quantity: 5, unitPrice: 1000 }] });
    const after = await waitFor(
      () => api.get(`/v1/orders/${o.id}`),
      (r) => r.body.status === 'confirmed' && r.body.lines[0].reserved === 5,
      { what: 'five reserved' },
    );
    expect(after.body.totals).to.deep.equal({
      subtotal: 5000,
      discount: 0,
      tax: 0,
      shipping: 0,
      total: 5000,
      refunded: 0,
      quantity: 5,
    });
  });
});
