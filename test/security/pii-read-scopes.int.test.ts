// Personal data needs the scope that reads it: customers:read for a customer's, orders:read for
// an order's shipping address and notes. events:read alone sees the feed with those fields
// redacted (still valid against the published schemas); webhooks:manage alone cannot subscribe an
// endpoint to events that carry them.
import { expect } from 'chai';
import { eventSchemaErrors } from '../../src/audit/event-schemas.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

const PERSONAL = ['Scope Victim', 'scope.victim@example.com', '+44 20 7946 0000', '5 Scopeless Road', 'Leave at door'];

describe('Personal data only with the scope that reads it', function () {
  this.timeout(60_000);
  let app: TestApp;
  let tenant: string;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
    const admin = await app.key(['*']);
    tenant = admin.tenant;
    const api = client(app.baseUrl, admin.key);
    const customer = await api.post('/v1/customers', {
      email: 'scope.victim@example.com',
      name: 'Scope Victim',
      phone: '+44 20 7946 0000',
      addresses: [{ line1: '5 Scopeless Road', city: 'Readham', country: 'GB' }],
    });
    expect(customer.status, customer.text).to.equal(201);
    const updated = await api.patch(`/v1/customers/${customer.body.id}`, { phone: '+44 20 7946 0000 1' });
    expect(updated.status, updated.text).to.equal(200);
    await adjust(api, 'SCOPE-1', 5);
    const order = await api.post('/v1/orders', {
      customerId: customer.body.id,
      currency: 'EUR',
      lines: [{ sku: 'SCOPE-1', quantity: 1, unitPrice: 1000 }],
      shippingAddress: { line1: '5 Scopeless Road', city: 'Readham', country: 'GB' },
      notes: 'Leave at door',
    });
    expect(order.status, order.text).to.equal(201);
    const patched = await api.patch(`/v1/orders/${order.body.id}`, {
      shippingAddress: { line1: '5 Scopeless Road', city: 'Readham', country: 'GB', name: 'Scope Victim' },
      notes: 'Leave at door',
    });
    expect(patched.status, patched.text).to.equal(200);
  });
  after(async () => app?.stop());

  const feedWith = async (scopes: Parameters<TestApp['key']>[0]) => {
    const api = client(app.baseUrl, (await app.key(scopes, tenant)).key);
    // The feed shows a commit once no older transaction is open: wait for all five events.
    const res = await waitFor(
      () => api.get('/v1/events?limit=200'),
      (r) => r.status !== 200 || r.body.data.length >= 5,
      { what: 'the feed' },
    );
    expect(res.status, res.text).to.equal(200);
    return res.body.data as { type: string; data: unknown }[];
  };
  const found = (v: unknown) => PERSONAL.filter((p) => JSON.stringify(v).includes(p));

  it('an events:read-only key sees no personal data, and every event stays valid', async () => {
    const events = await feedWith(['events:read']);
    expect(events.map((e) => e.type)).to.include.members([
      'CustomerRegistered',
      'CustomerUpdated',
      'OrderPlaced',
      'OrderUpdated',
    ]);
    expect(found(events)).to.deep.equal([]);
    for (const e of events) expect(eventSchemaErrors(e.type, e.data)).to.deep.equal([]);
  });

  it('each read scope opens its own part', async () => {
    const withCustomers = await feedWith(['events:read', 'customers:read']);
    expect(found(withCustomers.filter((e) => e.type.startsWith('Customer')))).to.include('scope.victim@example.com');
    expect(found(withCustomers.filter((e) => e.type.startsWith('Order')))).to.deep.equal([]);
    const withOrders = await feedWith(['events:read', 'orders:read']);
    expect(found(withOrders.filter((e) => e.type.startsWith('Order')))).to.include.members([
      '5 Scopeless Road',
      'Leave at door',
    ]);
    expect(found(withOrders.filter((e) => e.type.startsWith('Customer')))).to.deep.equal([]);
  });

  it('a webhooks:manage-only key cannot subscribe to events carrying personal data (403)', async () => {
    const hooks = client(app.baseUrl, (await app.key(['webhooks:manage'], tenant)).key);
    const url = 'https://93.184.216.34/hooks';
    for (const events of [['*'], ['customer.created'], ['customer.updated'], ['order.placed'], ['order.updated']]) {
      const res = await hooks.post('/v1/webhook-endpoints', { url, events });
      expectProblem(res, 403, 'insufficient_scope');
    }
    expect((await hooks.get('/v1/webhook-endpoints')).body.data, 'nothing was stored').to.have.length(0);
    // Events without personal data need no more than webhooks:manage.
    expect((await hooks.post('/v1/webhook-endpoints', { url, events: ['order.shipped'] })).status).to.equal(201);
    const full = client(app.baseUrl, (await app.key(['webhooks:manage', 'customers:read', 'orders:read'], tenant)).key);
    expect((await full.post('/v1/webhook-endpoints', { url, events: ['*'] })).status).to.equal(201);
  });
});
