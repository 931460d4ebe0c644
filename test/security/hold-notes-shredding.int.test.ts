// A hold's note is free text like the order's notes: encrypted under the customer's data key, and
// forgetting the customer shreds it (API, read model, history); the read model still
// agrees with a replay.
import { expect } from 'chai';
import { verifyProjection } from '../../src/projector/rebuild.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { address } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';
import { waitFor } from '../support/wait.ts';

describe('Hold notes are personal data', function () {
  this.timeout(90_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app?.stop());

  it('are stored encrypted and read back redacted after forget', async () => {
    const { key } = await app.key(['*']);
    const api = client(app.baseUrl, key);
    const customer = (await api.post('/v1/customers', { email: 'hold.victim@example.com', name: 'Hold Victim' })).body;
    const placed = await api.post('/v1/orders', {
      customerId: customer.id,
      currency: 'EUR',
      lines: [{ sku: 'HOLD-N-1', quantity: 1, unitPrice: 1000 }],
      shippingAddress: address,
    });
    const id = placed.body.id;
    const hold = await api.post(`/v1/orders/${id}/holds`, { reason: 'fraud_review', note: 'Mr Quietstone called' });
    expect(hold.status, hold.text).to.equal(201);
    expect(hold.body.note).to.equal('Mr Quietstone called');
    await api.post(`/v1/orders/${id}/holds`, { reason: 'other' });

    const log = (await app.db.pool.query('select data::text as d from es_events')).rows.map((r) => r.d).join('\n');
    expect(log).to.not.include('Quietstone');
    await waitFor(
      () => api.get(`/v1/orders/${id}`),
      (r) => r.body.holds?.length === 2,
      { what: 'both holds in the read model' },
    );

    expect((await api.delete(`/v1/customers/${customer.id}/personal-data`)).status).to.equal(200);
    await quiescent(app);
    const after = await waitFor(
      () => api.get(`/v1/orders/${id}`),
      (r) => r.body.holds[0].note !== 'Mr Quietstone called',
      { what: 'the redacted hold note' },
    );
    expect(after.body.holds.map((h: { note: string | null }) => h.note)).to.deep.equal(['[redacted]', null]);
    expect(JSON.stringify((await api.get(`/v1/orders/${id}/events`)).body)).to.not.include('Quietstone');
    expect(JSON.stringify((await api.get(`/v1/orders/${id}?version=2`)).body)).to.not.include('Quietstone');
    const rows = (await app.db.pool.query('select state::text as s from orders')).rows.map((r) => r.s).join('\n');
    expect(rows).to.not.include('Quietstone');
    const orders = app.runtime.projections.find((p) => p.name === 'orders')!;
    const r = await verifyProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: orders,
    });
    expect(r.differences).to.deep.equal([]);
  });
});
