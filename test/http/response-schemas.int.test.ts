// /openapi.json is the contract: every response of a realistic flow (customers, orders with diff
// and time travel, shipments, inventory, webhooks, the event feed and entity histories, and a
// forgotten customer's order) must match the schema the document publishes for it.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, type Res } from '../support/http.ts';
import { type Conformance, openApiConformance } from '../support/openapi-conformance.ts';
import { requestToken } from '../support/oauth.ts';
import { adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const PROBLEM_REF = '#/components/schemas/Problem';
/** The one error status whose body is not a problem: readiness reports its failing checks. */
const NOT_A_PROBLEM = new Set(['GET /readyz 503']);

type Doc = any;

describe('Every response matches the schema /openapi.json publishes for it', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let doc: Doc;
  let contract: Conformance;

  before(async () => {
    app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1' } });
    api = client(app.baseUrl, (await app.key(['*'])).key);
    doc = (await client(app.baseUrl).get('/openapi.json')).body;
    contract = openApiConformance(doc);
  });
  after(async () => app?.stop());

  /** Validates a response against the schema published for `METHOD /template` and its status. */
  function conforms(res: Res, method: string, template: string): void {
    expect(contract.mismatch(res, method, template)).to.equal(null);
  }

  /** Sends the request and checks the response; `template` defaults to the path with ids as parameters. */
  async function call(method: string, path: string, body?: unknown, template?: string): Promise<Res> {
    const res = await api.call(method, path, body);
    conforms(res, method, template ?? path);
    return res;
  }

  it('every operation response has a schema (except 204, which has no body); every error is the one problem schema', () => {
    const missing: string[] = [];
    const notProblem: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Doc>>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!METHODS.includes(method)) continue;
        for (const [status, resp] of Object.entries(op.responses as Record<string, Doc>)) {
          const where = `${method.toUpperCase()} ${path} ${status}`;
          if (status === '204') {
            if (resp.content) missing.push(`${where} (204 with content)`);
            continue;
          }
          const schemas = Object.values((resp.content ?? {}) as Record<string, { schema?: unknown }>);
          if (schemas.length === 0 || schemas.some((c) => c.schema === undefined)) missing.push(where);
          const isError = status === 'default' || Number(status) >= 400;
          const problem = resp.content?.['application/problem+json']?.schema;
          if (isError && problem?.$ref !== PROBLEM_REF && !NOT_A_PROBLEM.has(where)) notProblem.push(where);
        }
      }
    }
    expect(missing, 'responses without a schema').to.deep.equal([]);
    expect(doc.components.schemas?.Problem, 'components.schemas.Problem').to.be.an('object');
    expect(notProblem, 'error responses that do not reference the problem schema').to.deep.equal([]);
  });

  it('a realistic flow, a forgotten customer included, conforms response by response', async () => {
    // Operations.
    await call('GET', '/healthz');
    await call('GET', '/readyz');
    await call('GET', '/openapi.json');
    await call('GET', '/.well-known/jwks.json');
    await call('GET', '/metrics');
    const oauth = await app.runtime.services.oauthClients.create('tenant-rs', ['orders:read']);
    conforms(await requestToken(app.baseUrl, { id: oauth.id, secret: oauth.clientSecret }), 'POST', '/oauth/token');
    conforms(await requestToken(app.baseUrl, { id: oauth.id, secret: 'wrong' }), 'POST', '/oauth/token');
    conforms(
      await requestToken(app.baseUrl, { id: oauth.id, secret: oauth.clientSecret }, { scope: 'x' }),
      'POST',
      '/oauth/token',
    );

    // Customers.
    const created = await call('POST', '/v1/customers', {
      email: `flow${Date.now()}@example.com`,
      name: 'Flow',
      addresses: [{ line1: '1 Harbour Rd', city: 'Rotterdam', country: 'NL' }],
    });
    const cus = created.body.id as string;
    await call('GET', `/v1/customers/${cus}`, undefined, '/v1/customers/{id}');
    await call('PATCH', `/v1/customers/${cus}`, { name: 'Renamed', phone: '+49 40 123' }, '/v1/customers/{id}');
    await call('GET', '/v1/customers?limit=5', undefined, '/v1/customers');
    await call('GET', `/v1/customers/${cus}/events`, undefined, '/v1/customers/{id}/events');

    // Inventory.
    await adjust(api, 'RS-1', 10);
    await call('POST', '/v1/inventory/adjustments', { sku: 'RS-2', delta: 5, reason: 'received' });
    await call(
      'PUT',
      '/v1/inventory/RS-2/locations/default',
      { onHand: 7, reason: 'cycle_count' },
      '/v1/inventory/{sku}/locations/{location}',
    );
    await call('GET', '/v1/inventory/RS-1', undefined, '/v1/inventory/{sku}');
    await call('GET', '/v1/inventory', undefined, '/v1/inventory');
    await call('GET', '/v1/inventory/RS-1/movements', undefined, '/v1/inventory/{sku}/movements');
    await call('GET', '/v1/inventory/RS-1/events', undefined, '/v1/inventory/{sku}/events');

    // Webhooks, with a real receiver so there are deliveries to list and redeliver.
    const rx = await startReceiver();
    try {
      const ep = await call('POST', '/v1/webhook-endpoints', { url: rx.url, events: ['*'] });
      const epId = ep.body.id as string;

      // Orders.
      const placed = await call('POST', '/v1/orders', {
        customerId: cus,
        currency: 'EUR',
        lines: [{ sku: 'RS-1', quantity: 2, unitPrice: 1250 }],
        shippingAddress: {
          name: 'Dock 4',
          line1: '1 Harbour Rd',
          city: 'Rotterdam',
          postalCode: '3011',
          country: 'NL',
        },
      });
      const order = placed.body as { id: string };
      conforms(await api.get(`/v1/orders/${order.id}`), 'GET', '/v1/orders/{id}');
      await orderReaches(api, order.id, ['confirmed']);
      const changed = await call(
        'PATCH',
        `/v1/orders/${order.id}`,
        { notes: 'ring twice', shippingAddress: { line1: '2 Quay', city: 'Hamburg', country: 'DE' } },
        '/v1/orders/{id}',
      );
      await call('GET', `/v1/orders/${order.id}?version=1`, undefined, '/v1/orders/{id}');
      await call('GET', `/v1/orders/${order.id}?asOf=${new Date().toISOString()}`, undefined, '/v1/orders/{id}');
      await call('GET', `/v1/orders/${order.id}/diff?from=0`, undefined, '/v1/orders/{id}/diff');
      await call(
        'GET',
        `/v1/orders/${order.id}/diff?from=1&to=${changed.body.version}`,
        undefined,
        '/v1/orders/{id}/diff',
      );
      await call('GET', '/v1/orders?limit=5', undefined, '/v1/orders');
      await call('GET', `/v1/orders/${order.id}/events`, undefined, '/v1/orders/{id}/events');

      // Shipments.
      const shp = await call(
        'POST',
        `/v1/orders/${order.id}/shipments`,
        { lines: [{ sku: 'RS-1', quantity: 2 }], carrier: 'DHL', trackingNumber: 'RS-TRACK-1' },
        '/v1/orders/{id}/shipments',
      );
      const at = new Date(Date.parse(shp.body.createdAt ?? new Date().toISOString()) + 1000).toISOString();
      await call(
        'POST',
        `/v1/shipments/${shp.body.id}/events`,
        { status: 'in_transit', occurredAt: at },
        '/v1/shipments/{id}/events',
      );
      await call('GET', `/v1/shipments/${shp.body.id}`, undefined, '/v1/shipments/{id}');
      await call('GET', `/v1/shipments/${shp.body.id}?version=1`, undefined, '/v1/shipments/{id}');
      await call('GET', '/v1/shipments', undefined, '/v1/shipments');
      await call('GET', '/v1/tracking/RS-TRACK-1', undefined, '/v1/tracking/{trackingNumber}');
      await call('GET', `/v1/shipments/${shp.body.id}/events`, undefined, '/v1/shipments/{id}/events');

      // A second order to cancel.
      const other = await placeOrder(api, cus, [{ sku: 'RS-2', quantity: 1 }]);
      await call('POST', `/v1/orders/${other.id}/cancel`, { reason: 'changed my mind' }, '/v1/orders/{id}/cancel');

      // Webhook deliveries, redelivery, removal.
      const deliveries = await waitFor(
        () => api.get(`/v1/webhook-endpoints/${epId}/deliveries`),
        (r) => r.status === 200 && r.body.data.some((d: { status: string }) => d.status === 'succeeded'),
        { what: 'a delivered webhook' },
      );
      conforms(deliveries, 'GET', '/v1/webhook-endpoints/{id}/deliveries');
      await call('GET', '/v1/webhook-endpoints', undefined, '/v1/webhook-endpoints');
      await call('GET', `/v1/webhook-endpoints/${epId}`, undefined, '/v1/webhook-endpoints/{id}');
      const dlv = deliveries.body.data[0].id as string;
      await call(
        'POST',
        `/v1/webhook-endpoints/${epId}/deliveries/${dlv}/redeliver`,
        undefined,
        '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
      );

      // The customer is forgotten: the order reads back redacted and still conforms everywhere.
      await call('DELETE', `/v1/customers/${cus}/personal-data`, undefined, '/v1/customers/{id}/personal-data');
      const redacted = await waitFor(
        () => api.get(`/v1/orders/${order.id}`),
        (r) => r.status === 200 && r.body.shippingAddress.country === '[redacted]',
        { what: 'the order read model redacted' },
      );
      conforms(redacted, 'GET', '/v1/orders/{id}');
      await call('GET', `/v1/orders/${order.id}?version=1`, undefined, '/v1/orders/{id}');
      await call('GET', `/v1/orders/${order.id}/diff?from=0`, undefined, '/v1/orders/{id}/diff');
      await call('GET', `/v1/orders?customerId=${cus}`, undefined, '/v1/orders');
      await call('GET', `/v1/orders/${order.id}/events`, undefined, '/v1/orders/{id}/events');
      await call('GET', `/v1/customers/${cus}`, undefined, '/v1/customers/{id}');
      await call('GET', `/v1/customers/${cus}/events`, undefined, '/v1/customers/{id}/events');
      await call('DELETE', `/v1/webhook-endpoints/${epId}`, undefined, '/v1/webhook-endpoints/{id}');
    } finally {
      await rx.close();
    }

    // The feed and the catalogue; every event carries its schema version.
    const feed = await call('GET', '/v1/events?limit=200', undefined, '/v1/events');
    expect(feed.body.data.length).to.be.greaterThan(5);
    for (const e of feed.body.data) expect(e.metadata.schemaVersion, e.type).to.equal(1);
    await call('GET', '/v1/event-types');

    // Errors: problem+json as published.
    await call('GET', '/v1/orders/ord_00000000000000000000000000', undefined, '/v1/orders/{id}');
    await call('GET', '/v1/orders?limit=0', undefined, '/v1/orders');
    await call('POST', '/v1/orders', { customerId: cus, currency: 'EUR', lines: [], shippingAddress: {} });
  });

  it('requests still require a real country code (the response schema allows "[redacted]", the request schema not)', async () => {
    const cus = await newCustomer(api);
    const res = await api.post('/v1/orders', {
      customerId: cus,
      currency: 'EUR',
      lines: [{ sku: 'RS-1', quantity: 1, unitPrice: 1 }],
      shippingAddress: { line1: 'a', city: 'b', country: '[redacted]' },
    });
    expect(res.status, res.text).to.equal(400);
    conforms(res, 'POST', '/v1/orders');
    const patched = await api.post('/v1/customers', {
      email: `rs${Date.now()}@example.com`,
      name: 'X',
      addresses: [{ line1: 'a', city: 'b', country: '[redacted]' }],
    });
    expect(patched.status, patched.text).to.equal(400);
  });
});
