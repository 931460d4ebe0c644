// OWASP API3:2023 Broken Object Property Level Authorization: clients cannot write server-owned
// properties (mass assignment → 400 naming the property), and answers never carry another
// tenant's data, the tenant itself, or secrets.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { address, adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

const SERVER_OWNED = {
  id: 'ord_00000000000000000000000000',
  tenant: 'someone-else',
  status: 'shipped',
  version: 42,
  totals: { subtotal: 0, total: 0 },
  allocation: [{ sku: 'X', location: 'default', quantity: 1 }],
  allowedActions: ['ship'],
  createdAt: '2020-01-01T00:00:00Z',
};

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

describe('OWASP API3 property level authorization', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;
  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
  });
  after(async () => app?.stop());

  it('an order cannot be created or patched with status, totals, tenant, version, ids, allocation… → 400 naming the property; nothing appended', async () => {
    const customerId = await newCustomer(api);
    const base = {
      customerId,
      currency: 'EUR',
      lines: [{ sku: 'PROP-1', quantity: 1, unitPrice: 100 }],
      shippingAddress: address,
    };
    for (const [prop, value] of Object.entries(SERVER_OWNED)) {
      const res = await api.post('/v1/orders', { ...base, [prop]: value });
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.body.errors), prop).to.include(prop);
    }
    // nor a line's server-owned figures
    for (const extra of [{ reserved: 1 }, { shipped: 1 }, { lineTotal: 1 }]) {
      expectProblem(
        await api.post('/v1/orders', { ...base, lines: [{ ...base.lines[0], ...extra }] }),
        400,
        'validation_failed',
      );
    }
    const order = await placeOrder(api, customerId, [{ sku: 'PROP-1', quantity: 1 }]);
    for (const [prop, value] of Object.entries(SERVER_OWNED)) {
      expectProblem(await api.patch(`/v1/orders/${order.id}`, { [prop]: value }), 400, 'validation_failed');
    }
    const streams = await app.db
      .knex('es_streams')
      .count('* as n')
      .where('stream_name', 'like', `${tenant}:order:%`)
      .first();
    expect(Number(streams?.n)).to.equal(1);
  });

  it('customers, shipments, webhook endpoints and stock refuse server-owned properties too', async () => {
    for (const prop of ['id', 'tenant', 'version', 'createdAt', 'emailHash']) {
      expectProblem(
        await api.post('/v1/customers', { email: `p${Date.now()}@example.com`, name: 'P', [prop]: 'x' }),
        400,
        'validation_failed',
      );
    }
    expectProblem(
      await api.post('/v1/webhook-endpoints', { url: 'https://93.184.216.34/h', events: ['*'], secret: 'whsec_mine' }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.post('/v1/webhook-endpoints', { url: 'https://93.184.216.34/h', events: ['*'], tenant: 'x' }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.post('/v1/inventory/adjustments', { sku: 'PROP-2', delta: 1, reason: 'received', reserved: 5 }),
      400,
      'validation_failed',
    );
    await adjust(api, 'PROP-3', 5);
    const customerId = await newCustomer(api);
    const o = await placeOrder(api, customerId, [{ sku: 'PROP-3', quantity: 1 }]);
    await orderReaches(api, o.id, ['confirmed']);
    for (const extra of [
      { status: 'delivered' },
      { id: 'shp_00000000000000000000000000' },
      { orderId: 'ord_00000000000000000000000000' },
    ]) {
      expectProblem(
        await api.post(`/v1/orders/${o.id}/shipments`, {
          lines: [{ sku: 'PROP-3', quantity: 1 }],
          carrier: 'dhl',
          ...extra,
        }),
        400,
        'validation_failed',
      );
    }
  });

  it('answers never name the tenant or carry secrets and hashes (the webhook secret is shown once, on creation)', async () => {
    const ep = await api.post('/v1/webhook-endpoints', { url: 'https://93.184.216.34/hooks', events: ['*'] });
    expect(ep.status).to.equal(201);
    expect(ep.body.secret).to.match(/^whsec_/);
    await adjust(api, 'PROP-4', 5);
    const customerId = await newCustomer(api);
    const o = await placeOrder(api, customerId, [{ sku: 'PROP-4', quantity: 1 }]);
    await orderReaches(api, o.id, ['confirmed']);
    await waitFor(
      () => api.get(`/v1/customers/${customerId}`),
      (r) => r.status === 200,
      { what: 'customer read model' },
    );
    const answers = await Promise.all(
      [
        `/v1/customers/${customerId}`,
        '/v1/customers',
        `/v1/customers/${customerId}/events`,
        `/v1/orders/${o.id}`,
        `/v1/orders/${o.id}/events`,
        '/v1/orders',
        '/v1/inventory/PROP-4',
        '/v1/inventory/PROP-4/movements',
        `/v1/webhook-endpoints/${ep.body.id}`,
        '/v1/webhook-endpoints',
        '/v1/events',
      ].map((p) => api.get(p)),
    );
    for (const res of answers) {
      expect(res.status, res.text).to.equal(200);
      expect(res.text, 'names the tenant').to.not.include(tenant);
      const keys = keysOf(res.body).map((k) => k.toLowerCase());
      for (const forbidden of ['tenant', 'secret', 'keyhash', 'key_hash', 'emailhash', 'email_hash', 'password']) {
        expect(keys, forbidden).to.not.include(forbidden);
      }
      expect(res.text).to.not.include(ep.body.secret);
    }
  });
});
