// OWASP API1:2023 Broken Object Level Authorization: every resource of another tenant is 404 for
// reads and for commands (no hint that it exists), and the commands change nothing.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem, type Res } from '../support/http.ts';
import { adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

/** 404 with a not-found code (not_found, customer_not_found, …): never 403, which would confirm the object exists. */
function expectNotFound(res: Res, what: string): void {
  expect(res.status, `${what}: ${res.text}`).to.equal(404);
  expectProblem(res, 404, res.body.code);
  expect(res.body.code, what).to.match(/not_found$/);
}

describe('OWASP API1 broken object level authorization: tenants cannot reach each other’s objects', function () {
  this.timeout(90_000);
  let app: TestApp;
  let owner: ReturnType<typeof client>;
  let intruder: ReturnType<typeof client>;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  const ids = {} as {
    customer: string;
    order: string;
    shipment: string;
    tracking: string;
    sku: string;
    endpoint: string;
    delivery: string;
  };

  before(async () => {
    rx = await startReceiver();
    app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1', OMS_WEBHOOK_BACKOFF_MS: '20' } });
    owner = client(app.baseUrl, (await app.key(['*'])).key);
    intruder = client(app.baseUrl, (await app.key(['*'])).key); // full scopes, another tenant
    const ep = await owner.post('/v1/webhook-endpoints', { url: rx.url, events: ['customer.created'] });
    ids.endpoint = ep.body.id;
    ids.customer = await newCustomer(owner);
    ids.sku = 'BOLA-SKU-1';
    await adjust(owner, ids.sku, 10);
    const order = await placeOrder(owner, ids.customer, [{ sku: ids.sku, quantity: 2 }]);
    await orderReaches(owner, order.id, ['confirmed']);
    ids.order = order.id;
    ids.tracking = 'BOLA000111';
    const shp = await owner.post(`/v1/orders/${order.id}/shipments`, {
      lines: [{ sku: ids.sku, quantity: 1 }],
      carrier: 'dhl',
      trackingNumber: ids.tracking,
    });
    expect(shp.status, shp.text).to.equal(201);
    ids.shipment = shp.body.id;
    const dl = await waitFor(
      () => owner.get(`/v1/webhook-endpoints/${ids.endpoint}/deliveries`),
      (r) => r.body.data?.length === 1 && r.body.data[0].status === 'succeeded',
      { what: 'a delivery' },
    );
    ids.delivery = dl.body.data[0].id;
    // Everything settled, so the before/after snapshots compare only what the intruder might change.
    await waitFor(
      () => owner.get(`/v1/tracking/${ids.tracking}`),
      (r) => r.status === 200,
      { what: 'tracking read model' },
    );
    await orderReaches(owner, order.id, ['partially_shipped']);
    await waitFor(
      () => owner.get(`/v1/inventory/${ids.sku}`),
      (r) => r.body.onHand === 9,
      { what: 'stock committed' },
    );
  });
  after(async () => {
    await app?.stop();
    await rx?.close();
  });

  const reads = () => [
    `/v1/customers/${ids.customer}`,
    `/v1/customers/${ids.customer}/events`,
    `/v1/orders/${ids.order}`,
    `/v1/orders/${ids.order}/events`,
    `/v1/orders/${ids.order}/diff?from=0&to=1`,
    `/v1/shipments/${ids.shipment}`,
    `/v1/shipments/${ids.shipment}/events`,
    `/v1/tracking/${ids.tracking}`,
    `/v1/inventory/${ids.sku}`,
    `/v1/inventory/${ids.sku}/movements`,
    `/v1/inventory/${ids.sku}/events`,
    `/v1/webhook-endpoints/${ids.endpoint}`,
    `/v1/webhook-endpoints/${ids.endpoint}/deliveries`,
  ];

  const snapshot = async () => Promise.all(reads().map(async (p) => (await owner.get(p)).text));

  it('the owner can read every one of its objects (the paths below are real)', async () => {
    for (const p of reads()) expect((await owner.get(p)).status, p).to.equal(200);
  });

  it('GET on another tenant’s customer, order, shipment, tracking number, SKU, endpoint, deliveries and histories → 404', async () => {
    for (const p of reads()) {
      const res = await intruder.get(p);
      // An SKU is a name, not an object: another tenant reading it sees its own (empty) stock, never ours.
      if (p.startsWith('/v1/inventory/') && res.status === 200) {
        expect(res.text, p).to.not.include(ids.order);
        if (p === `/v1/inventory/${ids.sku}`) expect(res.body.onHand, p).to.equal(0);
        else expect(res.body.data ?? res.body.events ?? [], p).to.have.length(0);
        continue;
      }
      expectNotFound(res, p);
    }
  });

  it('lists and the event feed show nothing of the other tenant', async () => {
    for (const p of [
      '/v1/customers',
      '/v1/orders',
      '/v1/shipments',
      '/v1/inventory',
      '/v1/webhook-endpoints',
      '/v1/events',
    ]) {
      const res = await intruder.get(p);
      expect(res.status, p).to.equal(200);
      for (const id of Object.values(ids)) expect(res.text, `${p} leaks ${id}`).to.not.include(id);
    }
  });

  it('commands on another tenant’s objects → 404, and the owner’s data is unchanged', async () => {
    const before = await snapshot();
    const commands: [string, string, unknown][] = [
      ['PATCH', `/v1/customers/${ids.customer}`, { name: 'Hijacked' }],
      ['PATCH', `/v1/orders/${ids.order}`, { notes: 'hijacked' }],
      ['POST', `/v1/orders/${ids.order}/cancel`, { reason: 'hijack' }],
      ['POST', `/v1/orders/${ids.order}/shipments`, { lines: [{ sku: ids.sku, quantity: 1 }], carrier: 'dhl' }],
      ['POST', `/v1/shipments/${ids.shipment}/events`, { status: 'delivered' }],
      ['DELETE', `/v1/webhook-endpoints/${ids.endpoint}`, undefined],
      ['POST', `/v1/webhook-endpoints/${ids.endpoint}/deliveries/${ids.delivery}/redeliver`, undefined],
    ];
    for (const [method, path, body] of commands) {
      const res = await intruder.call(
        method,
        path,
        body,
        method === 'PATCH' || method === 'DELETE' ? { 'If-Match': '"1"' } : {},
      );
      expectNotFound(res, `${method} ${path}`);
    }
    // Stock commands on the same SKU name touch only the intruder's own stock.
    expect(
      (await intruder.post('/v1/inventory/adjustments', { sku: ids.sku, delta: -1, reason: 'lost' })).status,
    ).to.be.oneOf([409, 422]);
    expect(
      (await intruder.call('PUT', `/v1/inventory/${ids.sku}/locations/default`, { onHand: 0, reason: 'cycle_count' }))
        .status,
    ).to.be.lessThan(500);
    expect(rx.received.length).to.equal(1); // the redeliver did not send anything
    expect(await snapshot()).to.deep.equal(before);
    expect((await owner.get(`/v1/inventory/${ids.sku}`)).body.onHand).to.equal(9);
  });
});
