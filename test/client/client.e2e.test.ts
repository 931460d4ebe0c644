import { expect } from 'chai';
import { createOmsClient, type OmsClient } from '../../client/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { waitFor } from '../support/wait.ts';

// The typed client (client/, generated from /openapi.json) against the real service: each call's
// path, parameters, body and answer are checked by the compiler, then by the server.
describe('the typed client drives the API: an order from stock to shipment (e2e)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let oms: OmsClient;
  before(async () => {
    app = await startTestApp();
    oms = createOmsClient({ baseUrl: app.baseUrl, key: (await app.key()).key });
  });
  after(async () => app?.stop());

  it('stocks a SKU, creates a customer, places an order, sees it confirmed, lists it and changes it', async () => {
    const stock = await oms.POST('/v1/inventory/adjustments', {
      body: { sku: 'TSHIRT-RED-M', delta: 5, reason: 'received' },
    });
    expect(stock.response.status, JSON.stringify(stock.error)).to.equal(201);
    expect(stock.data?.available).to.equal(5);

    const customer = await oms.POST('/v1/customers', { body: { email: 'ada@example.com', name: 'Ada Lovelace' } });
    expect(customer.response.status, JSON.stringify(customer.error)).to.equal(201);
    const customerId = customer.data!.id;

    const placed = await oms.POST('/v1/orders', {
      params: { header: { 'Idempotency-Key': 'client-e2e-order-1' } },
      body: {
        customerId,
        currency: 'EUR',
        lines: [{ sku: 'TSHIRT-RED-M', quantity: 2, unitPrice: 1999 }],
        shippingAddress: { name: 'Ada Lovelace', line1: "12 St James's Square", city: 'London', country: 'GB' },
        externalId: 'shop-100234',
      },
    });
    expect(placed.response.status, JSON.stringify(placed.error)).to.equal(201);
    const order = placed.data!;
    expect(order).to.include({ status: 'pending', customerId, currency: 'EUR', externalId: 'shop-100234' });
    expect(order.totals).to.deep.include({ subtotal: 3998, quantity: 2 });

    // Read-your-writes: the position of the write, as Oms-Min-Position.
    const position = placed.response.headers.get('Oms-Position')!;
    const read = await oms.GET('/v1/orders/{id}', {
      params: { path: { id: order.id }, header: { 'Oms-Min-Position': position } },
    });
    expect(read.data?.id).to.equal(order.id);

    const confirmed = await waitFor(
      async () => (await oms.GET('/v1/orders/{id}', { params: { path: { id: order.id } } })).data,
      (o) => o?.status === 'confirmed',
      { what: 'the order to be confirmed' },
    );
    expect(confirmed!.lines[0]).to.include({ sku: 'TSHIRT-RED-M', reserved: 2, shipped: 0 });

    const listed = await oms.GET('/v1/orders', { params: { query: { customerId, status: 'confirmed' } } });
    expect(listed.data?.data.map((o) => o.id)).to.deep.equal([order.id]);

    // If-Match: the ETag of the placed order is stale once allocation changed it; the current one is not.
    const stale = await oms.PATCH('/v1/orders/{id}', {
      params: { path: { id: order.id }, header: { 'If-Match': placed.response.headers.get('ETag')! } },
      body: { notes: 'leave at the door' },
    });
    expect(stale.response.status).to.equal(412);
    expect(stale.error?.code).to.equal('version_mismatch');
    const current = await oms.GET('/v1/orders/{id}', { params: { path: { id: order.id } } });
    const changed = await oms.PATCH('/v1/orders/{id}', {
      params: { path: { id: order.id }, header: { 'If-Match': current.response.headers.get('ETag')! } },
      body: { notes: 'leave at the door' },
    });
    expect(changed.response.status, JSON.stringify(changed.error)).to.equal(200);
    expect(changed.data).to.include({ notes: 'leave at the door', version: current.data!.version + 1 });
  });

  it('ships the order and follows the parcel: createShipment, recordShipmentEvent, track', async () => {
    const customer = await oms.POST('/v1/customers', { body: { email: 'grace@example.com', name: 'Grace Hopper' } });
    await oms.POST('/v1/inventory/adjustments', { body: { sku: 'MUG-BLUE', delta: 3, reason: 'received' } });
    const placed = await oms.POST('/v1/orders', {
      body: {
        customerId: customer.data!.id,
        currency: 'USD',
        lines: [{ sku: 'MUG-BLUE', quantity: 3, unitPrice: 1200 }],
        shippingAddress: { line1: '1 Navy Yard', city: 'Arlington', country: 'US' },
      },
    });
    const id = placed.data!.id;
    await waitFor(
      async () => (await oms.GET('/v1/orders/{id}', { params: { path: { id } } })).data?.allowedActions ?? [],
      (actions) => actions.includes('ship'),
      { what: 'the order to be shippable' },
    );

    const shipment = await oms.POST('/v1/orders/{id}/shipments', {
      params: { path: { id } },
      body: { lines: [{ sku: 'MUG-BLUE', quantity: 3 }], carrier: 'UPS', trackingNumber: '1Z999AA10123456784' },
    });
    expect(shipment.response.status, JSON.stringify(shipment.error)).to.equal(201);
    expect(shipment.data).to.include({ orderId: id, status: 'label_created', carrier: 'UPS' });

    const update = await oms.POST('/v1/shipments/{id}/events', {
      params: { path: { id: shipment.data!.id } },
      body: { status: 'in_transit', location: 'Louisville hub' },
    });
    expect(update.response.status, JSON.stringify(update.error)).to.equal(201);
    expect(update.data?.events.map((e) => e.status)).to.deep.equal(['label_created', 'in_transit']);

    const tracked = await waitFor(
      async () =>
        (await oms.GET('/v1/tracking/{trackingNumber}', { params: { path: { trackingNumber: '1Z999AA10123456784' } } }))
          .data,
      (page) => page?.data[0]?.status === 'in_transit',
      { what: 'the tracking read model' },
    );
    expect(tracked!.data.map((s) => s.id)).to.deep.equal([shipment.data!.id]);
    const shipped = await oms.GET('/v1/orders/{id}', { params: { path: { id } } });
    expect(shipped.data?.status).to.equal('shipped');
  });

  it('hands back problems typed as problem+json', async () => {
    const missing = await oms.GET('/v1/orders/{id}', { params: { path: { id: 'ord_0000000000000000000000000a' } } });
    expect(missing.response.status).to.equal(404);
    expect(missing.data).to.equal(undefined);
    expect(missing.error).to.include({ code: 'order_not_found', status: 404 });

    const invalid = await oms.POST('/v1/customers', { body: { email: 'not-an-email', name: 'X' } });
    expect(invalid.response.status).to.equal(400);
    expect(invalid.error?.code).to.equal('validation_failed');
    expect(invalid.error?.errors?.[0]?.path).to.equal('/email');
  });
});
