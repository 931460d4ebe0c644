import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { upcast } from '../../src/eventstore/upcasting.ts';
import { upcasters } from '../../domain/upcasters.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { waitFor } from '../support/wait.ts';

describe('Event schema versions: old shapes are upcast when read', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app?.stop());

  it('a v0 customer (personal data at the top level, no schemaVersion) reads back in the current shape everywhere', async () => {
    const k = await app.key(['*']);
    const api = client(app.baseUrl, k.key);
    const customerId = `cus_${'0'.repeat(20)}legacy`;
    // Written as an older release would have: straight into the store, old shape, no version.
    const raw = new PostgresEventStore(app.db.pool);
    const meta = { tenant: k.tenant, actor: 'legacy-import', correlationId: 'legacy', causationId: null };
    await raw.appendToStream(`${k.tenant}:customer:${customerId}`, [
      {
        id: randomUUID(),
        type: 'CustomerRegistered',
        data: { customerId, email: 'old@example.com', name: 'Old Shape', registeredAt: '2025-01-01T00:00:00.000Z' },
        metadata: meta,
      },
      {
        id: randomUUID(),
        type: 'CustomerUpdated',
        data: { customerId, name: 'Old Shape Renamed', updatedAt: '2025-02-01T00:00:00.000Z' },
        metadata: meta,
      },
    ]);
    const stored = await app.db.pool.query(
      `select data from es_events where stream_name = $1 order by stream_revision`,
      [`${k.tenant}:customer:${customerId}`],
    );
    expect(stored.rows[0].data).to.have.property('email'); // the store keeps what was written

    const history = await api.get(`/v1/customers/${customerId}/events`);
    expect(history.body.data[0].data).to.deep.equal({
      customerId,
      externalId: null,
      pii: { email: 'old@example.com', name: 'Old Shape', phone: null, addresses: [] },
      registeredAt: '2025-01-01T00:00:00.000Z',
    });
    expect(history.body.data[1].data).to.deep.equal({
      customerId,
      pii: { name: 'Old Shape Renamed' },
      updatedAt: '2025-02-01T00:00:00.000Z',
    });

    const v1 = await api.get(`/v1/customers/${customerId}?version=1`);
    expect(v1.body).to.include({ email: 'old@example.com', name: 'Old Shape', version: 1 });
    const live = await waitFor(
      () => api.get(`/v1/customers/${customerId}`),
      (r) => r.status === 200,
      { what: 'projected from upcast events' },
    );
    expect(live.body).to.include({ email: 'old@example.com', name: 'Old Shape Renamed', version: 2 });
    // and commands decide on the upcast state
    const patched = await api.patch(`/v1/customers/${customerId}`, { phone: '+49 30 123456' });
    expect(patched.status, patched.text).to.equal(200);
    expect(patched.body).to.include({ name: 'Old Shape Renamed', phone: '+49 30 123456', version: 3 });
    const newest = await app.db.pool.query(
      `select metadata from es_events where stream_name = $1 and stream_revision = 2`,
      [`${k.tenant}:customer:${customerId}`],
    );
    expect(newest.rows[0].metadata.schemaVersion).to.equal(1);
  });

  it('current-version events pass through unchanged; an unknown old version fails loudly', () => {
    const e = {
      id: randomUUID(),
      type: 'CustomerUpdated',
      streamName: 't:customer:x',
      revision: 0,
      position: { commit: 1n, prepare: 1n },
      data: { customerId: 'x', pii: { name: 'n' }, updatedAt: 'now' },
      metadata: { tenant: 't', actor: 'a', correlationId: 'c', causationId: null, schemaVersion: 1 },
      createdAt: new Date(),
    };
    expect(upcast(upcasters, e)).to.equal(e);
    expect(() => upcast({ X: { current: 2, upcasters: {} } }, { ...e, type: 'X' })).to.throw(/no upcaster for X v1/);
  });
});
