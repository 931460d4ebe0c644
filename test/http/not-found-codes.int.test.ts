// One error code per meaning: a missing resource is 404 `<noun>_not_found`, whether it is read or
// commanded, unknown, malformed or another tenant's.
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';

describe('404 codes: one per resource type, the same for reads and commands', function () {
  this.timeout(30_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  const ORD = 'ord_00000000000000000000000000';
  const CUS = 'cus_00000000000000000000000000';
  const SHP = 'shp_00000000000000000000000000';
  const WHK = 'whk_00000000000000000000000000';
  const DLV = 'dlv_00000000000000000000000000';

  const cases: [string, () => ReturnType<typeof api.get>, string][] = [
    ['GET order', () => api.get(`/v1/orders/${ORD}`), 'order_not_found'],
    ['GET order events', () => api.get(`/v1/orders/${ORD}/events`), 'order_not_found'],
    ['GET malformed order id', () => api.get('/v1/orders/ord_nope'), 'order_not_found'],
    ['PATCH order', () => api.patch(`/v1/orders/${ORD}`, { notes: 'x' }), 'order_not_found'],
    ['cancel order', () => api.post(`/v1/orders/${ORD}/cancel`, { reason: 'x' }), 'order_not_found'],
    ['GET customer', () => api.get(`/v1/customers/${CUS}`), 'customer_not_found'],
    ['GET customer events', () => api.get(`/v1/customers/${CUS}/events`), 'customer_not_found'],
    ['PATCH customer', () => api.patch(`/v1/customers/${CUS}`, { name: 'X' }), 'customer_not_found'],
    ['GET shipment', () => api.get(`/v1/shipments/${SHP}`), 'shipment_not_found'],
    ['GET tracking number', () => api.get('/v1/tracking/NOPE-404'), 'shipment_not_found'],
    ['track shipment', () => api.post(`/v1/shipments/${SHP}/events`, { status: 'in_transit' }), 'shipment_not_found'],
    ['GET webhook endpoint', () => api.get(`/v1/webhook-endpoints/${WHK}`), 'webhook_endpoint_not_found'],
    ['GET malformed endpoint id', () => api.get('/v1/webhook-endpoints/whk_x'), 'webhook_endpoint_not_found'],
    ['DELETE webhook endpoint', () => api.delete(`/v1/webhook-endpoints/${WHK}`), 'webhook_endpoint_not_found'],
    ['GET endpoint deliveries', () => api.get(`/v1/webhook-endpoints/${WHK}/deliveries`), 'webhook_endpoint_not_found'],
    [
      'redeliver to a missing endpoint',
      () => api.post(`/v1/webhook-endpoints/${WHK}/deliveries/${DLV}/redeliver`),
      'webhook_endpoint_not_found',
    ],
    // SKUs come into being with their first adjustment: no command on one answers 404.
    ['GET SKU', () => api.get('/v1/inventory/NOPE-404'), 'sku_not_found'],
    ['GET SKU events', () => api.get('/v1/inventory/NOPE-404/events'), 'sku_not_found'],
  ];

  for (const [what, call, code] of cases) {
    it(`${what} → 404 ${code}`, async () => expectProblem(await call(), 404, code));
  }

  it('an unknown delivery of a live endpoint → 404 webhook_delivery_not_found', async () => {
    const other = client(app.baseUrl, (await app.key(['*'])).key);
    const own = await app.key(['*']);
    const owner = client(app.baseUrl, own.key);
    const id = 'whk_01jdx9a4b5c6d7e8f9g0h1j2k3';
    await app.runtime.services
      .knex('webhook_endpoints')
      .insert({ tenant: own.tenant, id, url: 'https://example.test/h', events: ['*'], secret: 'whsec_x' });
    expectProblem(
      await owner.post(`/v1/webhook-endpoints/${id}/deliveries/${DLV}/redeliver`),
      404,
      'webhook_delivery_not_found',
    );
    expectProblem(await other.get(`/v1/webhook-endpoints/${id}/deliveries`), 404, 'webhook_endpoint_not_found');
  });
});
