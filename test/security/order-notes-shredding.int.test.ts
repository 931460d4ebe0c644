// Free-text order notes can name anyone: they are encrypted under the customer's data key like
// the address, and forgetting the customer shreds them (API, read model, delivery log).
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';
import { waitFor } from '../support/wait.ts';

describe('Order notes are personal data', function () {
  this.timeout(90_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app?.stop());

  it('are stored encrypted and read back redacted after forget', async () => {
    const { key } = await app.key(['*']);
    const api = client(app.baseUrl, key);
    const customer = (await api.post('/v1/customers', { email: 'notes.victim@example.com', name: 'Notes Victim' }))
      .body;
    await adjust(api, 'NOTE-1', 5);
    const placed = await api.post('/v1/orders', {
      customerId: customer.id,
      currency: 'EUR',
      lines: [{ sku: 'NOTE-1', quantity: 1, unitPrice: 1000 }],
      shippingAddress: { line1: '1 Quiet Close', city: 'Hushby', country: 'GB' },
      notes: 'Ring Mrs Secretworth at flat 2',
    });
    expect(placed.status, placed.text).to.equal(201);
    const changed = await api.patch(`/v1/orders/${placed.body.id}`, { notes: 'Call Mr Hiddenfield first' });
    expect(changed.status, changed.text).to.equal(200);

    const log = (await app.db.pool.query('select data::text as d from es_events')).rows.map((r) => r.d).join('\n');
    expect(log).to.not.include('Secretworth');
    expect(log).to.not.include('Hiddenfield');
    // The read model takes the change asynchronously (no Oms-Min-Position sent here).
    await waitFor(
      () => api.get(`/v1/orders/${placed.body.id}`),
      (r) => r.body.notes === 'Call Mr Hiddenfield first',
      { what: 'the changed notes, read back in plain' },
    );

    expect((await api.delete(`/v1/customers/${customer.id}/personal-data`)).status).to.equal(200);
    await quiescent(app);
    const after = await waitFor(
      () => api.get(`/v1/orders/${placed.body.id}`),
      (r) => r.body.notes !== 'Call Mr Hiddenfield first',
      { what: 'the redacted notes' },
    );
    expect(after.body.notes).to.equal('[redacted]');
    const history = JSON.stringify((await api.get(`/v1/orders/${placed.body.id}/events`)).body);
    expect(history).to.not.include('Secretworth');
    expect(history).to.not.include('Hiddenfield');
    const rows = (await app.db.pool.query('select state::text as s from orders')).rows.map((r) => r.s).join('\n');
    expect(rows).to.not.include('Hiddenfield');
  });
});
