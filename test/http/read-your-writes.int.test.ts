// Read your own writes by default: a GET by id right after the command answers the entity even
// when no projector runs at all (the read model never catches up): it folds the entity's stream.
import { expect } from 'chai';
import { readModelLocations } from '../../src/locations/stock-locations.ts';
import { allocateOrder } from '../../src/orders/allocation.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem, type Res } from '../support/http.ts';
import { adjust, newCustomer, placeOrder } from '../support/oms.ts';

describe('Read-your-writes: GET by id folds the stream when the read model has not caught up', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let other: ReturnType<typeof client>;
  let tenant: string;

  before(async () => {
    // No projector: the read models stay empty for the whole test.
    app = await startTestApp({ roles: ['api', 'worker'] });
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
    other = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  /** The GET by id answers what the command answered: same body, version and ETag. */
  async function readsBack(created: Res, path: string) {
    const got = await api.get(path);
    expect(got.status, got.text).to.equal(200);
    expect(got.body).to.deep.equal(created.body);
    expect(got.body.version).to.equal(created.body.version);
    expect(got.headers.get('etag')).to.equal(created.headers.get('etag'));
    // With a position no read model has reached: answered at once from the log, not 503.
    const behind = await api.get(path, { 'Oms-Min-Position': created.headers.get('oms-position')! });
    expect(behind.status, behind.text).to.equal(200);
    expect(behind.body).to.deep.equal(created.body);
    // Another tenant never sees it.
    const noun = path.split('/')[2]!.replace(/s$/, '');
    expectProblem(await other.get(path), 404, `${noun}_not_found`);
  }

  it('customers: POST then GET by id is 200 with the same body and version', async () => {
    const created = await api.post('/v1/customers', { email: `ryw-${Date.now()}@example.com`, name: 'Ryw Buyer' });
    expect(created.status, created.text).to.equal(201);
    await readsBack(created, `/v1/customers/${created.body.id}`);
    // A later change reads back too (version 2).
    const changed = await api.patch(`/v1/customers/${created.body.id}`, { name: 'Ryw Renamed' });
    expect(changed.status, changed.text).to.equal(200);
    await readsBack(changed, `/v1/customers/${created.body.id}`);
  });

  it('orders: POST then GET by id is 200 with the same body and version', async () => {
    const customerId = await newCustomer(api);
    const created = await api.post('/v1/orders', {
      customerId,
      currency: 'EUR',
      lines: [{ sku: 'RYW-1', quantity: 1, unitPrice: 1000 }],
      shippingAddress: { line1: '1 Harbour Rd', city: 'Rotterdam', country: 'NL' },
    });
    expect(created.status, created.text).to.equal(201);
    await readsBack(created, `/v1/orders/${created.body.id}`);
  });

  it('shipments: POST then GET by id is 200 with the same body and version', async () => {
    const customerId = await newCustomer(api);
    await adjust(api, 'RYW-2', 5);
    const order = await placeOrder(api, customerId, [{ sku: 'RYW-2', quantity: 2 }]);
    // No projector, so no allocation job: allocate here (the stock is at the default location).
    const ctx = {
      tenant,
      actor: 'system:test',
      correlationId: 'ryw',
      causationId: null,
      now: new Date().toISOString(),
    };
    const deps = {
      store: app.runtime.services.store,
      locations: readModelLocations(app.runtime.services.knex, app.runtime.services.store),
    };
    expect(await allocateOrder(deps, ctx, order.id, ['default'])).to.equal('confirmed');
    const created = await api.post(`/v1/orders/${order.id}/shipments`, {
      lines: [{ sku: 'RYW-2', quantity: 2 }],
      carrier: 'dhl',
    });
    expect(created.status, created.text).to.equal(201);
    await readsBack(created, `/v1/shipments/${created.body.id}`);
  });

  it('a forgotten customer folds to the redacted shape', async () => {
    const created = await api.post('/v1/customers', { email: `ryw-f-${Date.now()}@example.com`, name: 'Forget Me' });
    expect(created.status, created.text).to.equal(201);
    const forgotten = await api.delete(`/v1/customers/${created.body.id}/personal-data`);
    expect(forgotten.status, forgotten.text).to.equal(200);
    const got = await api.get(`/v1/customers/${created.body.id}`);
    expect(got.status, got.text).to.equal(200);
    expect(got.body).to.deep.equal(forgotten.body);
    expect(got.body).to.include({ email: '[redacted]', name: '[redacted]' });
  });

  it('an id with no stream is still 404', async () => {
    expectProblem(await api.get('/v1/orders/ord_00000000000000000000000000'), 404, 'order_not_found');
  });
});
