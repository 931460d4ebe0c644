import { expect } from 'chai';
import { eventCatalogue, eventSchemaErrors } from '../../src/audit/event-schemas.ts';
import { isEnvelope } from '../../src/pii/envelope.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';
import { waitFor } from '../support/wait.ts';

describe('Event schemas: every event written conforms to its type’s JSON Schema', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app?.stop());

  it('a full order lifecycle writes only events that validate, each type with a version', async () => {
    const api = client(app.baseUrl, (await app.key(['*'])).key);
    const customerId = await newCustomer(api);
    await api.patch(`/v1/customers/${customerId}`, {
      name: 'Renamed',
      addresses: [{ line1: 'x', city: 'y', country: 'FR' }],
    });
    await adjust(api, 'SCHEMA-1', 2);
    const a = await placeOrder(api, customerId, [{ sku: 'SCHEMA-1', quantity: 2 }], {
      externalId: 'schema-a',
      notes: 'n',
    });
    await orderReaches(api, a.id, ['confirmed']); // before b exists, so a gets both units
    const b = await placeOrder(api, customerId, [{ sku: 'SCHEMA-1', quantity: 1 }]);
    await orderReaches(api, b.id, ['backordered']);
    await api.patch(`/v1/orders/${b.id}`, { lines: [{ sku: 'SCHEMA-1', quantity: 2, unitPrice: 10 }] });
    const s = await api.post(`/v1/orders/${a.id}/shipments`, {
      lines: [{ sku: 'SCHEMA-1', quantity: 2 }],
      carrier: 'dhl',
      trackingNumber: 'SCH1',
    });
    // Carrier times lie between the shipment's creation and now; the exception arrives late.
    const at = (seconds: number) => new Date(Date.parse(s.body.createdAt) + seconds * 1000).toISOString();
    await api.post(`/v1/shipments/${s.body.id}/events`, { status: 'in_transit', occurredAt: at(2) });
    await api.post(`/v1/shipments/${s.body.id}/events`, { status: 'exception', occurredAt: at(1) });
    await api.post(`/v1/shipments/${s.body.id}/events`, { status: 'delivered', occurredAt: at(3) });
    await api.put('/v1/inventory/SCHEMA-1/locations/default', { onHand: 0, reason: 'cycle_count' });
    await adjust(api, 'SCHEMA-1', 5);
    await api.post(`/v1/orders/${b.id}/cancel`, { reason: 'done' });
    await quiescent(app);

    // Stored: personal data only as pii.v1 envelopes, every event with its schema version.
    const rows = (await app.db.pool.query('select event_type, data, metadata from es_events')).rows as {
      event_type: string;
      data: any;
      metadata: { schemaVersion: number };
    }[];
    for (const r of rows) {
      expect(r.metadata.schemaVersion).to.equal(1);
      if (r.event_type.startsWith('Customer'))
        expect(r.data.pii === undefined || isEnvelope(r.data.pii), r.event_type).to.equal(true);
      if (r.event_type === 'OrderPlaced') expect(isEnvelope(r.data.shippingAddress)).to.equal(true);
    }
    // Read (API, feed, projections): every event validates against its published schema.
    // The log shows an event once every older transaction of the cluster has ended: wait for all.
    const events = await waitFor(
      () => app.runtime.services.store.readAll({ after: null, maxCount: 10_000 }),
      (read) => read.length >= rows.length,
      { what: 'every stored event visible in the log' },
    );
    expect(events).to.have.length(rows.length);
    const seen = new Set<string>();
    for (const e of events) {
      expect(eventSchemaErrors(e.type, e.data), e.type).to.deep.equal([]);
      seen.add(e.type);
    }
    expect(seen.size).to.be.at.least(20);
    expect(eventCatalogue().map((c) => c.type)).to.include.members([...seen]);
  });

  it('a malformed event is caught by its schema', () => {
    expect(eventSchemaErrors('OrderConfirmed', { occurredAt: 'yesterday' })).to.have.length.greaterThan(0);
    expect(eventSchemaErrors('OrderConfirmed', { occurredAt: '2030-01-01T00:00:00Z', extra: 1 })[0]).to.match(/extra/);
    expect(eventSchemaErrors('Nope', {})).to.deep.equal(['no schema for event type Nope']);
  });
});

describe('GET /v1/event-types', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
  });
  after(async () => app?.stop());

  it('publishes every event type with its version and schema', async () => {
    const res = await client(app.baseUrl, (await app.key(['events:read'])).key).get('/v1/event-types');
    expect(res.status).to.equal(200);
    const placed = res.body.data.find((t: { type: string }) => t.type === 'OrderPlaced');
    expect(placed.version).to.equal(1);
    expect(placed.schema.required).to.include('lines');
  });
});
