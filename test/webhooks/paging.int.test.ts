import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { newCustomer } from '../support/oms.ts';
import { walk } from '../support/paging.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

const newestFirst = (rows: { createdAt: string }[]) =>
  rows.every((r, i) => i === 0 || Date.parse(rows[i - 1]!.createdAt) >= Date.parse(r.createdAt));

describe('Webhooks: the endpoint list and the delivery log page with keyset cursors', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1' } });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  it('GET /v1/webhook-endpoints pages newest first, every endpoint once, and ends with nextCursor null', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.post('/v1/webhook-endpoints', { url: `http://127.0.0.1:9/h${i}`, events: ['*'] });
      expect(res.status, res.text).to.equal(201);
      created.push(res.body.id);
    }
    const rows = await walk<{ id: string; createdAt: string }>(api, '/v1/webhook-endpoints', 2);
    expect(rows.map((r) => r.id)).to.deep.equal([...created].reverse());
    expect(newestFirst(rows)).to.equal(true);
    expectProblem(await api.get('/v1/webhook-endpoints?cursor=bm9wZQ'), 400, 'validation_failed');
    expectProblem(await api.get('/v1/webhook-endpoints?limit=0'), 400, 'validation_failed');
  });

  it('GET /v1/webhook-endpoints/:id/deliveries pages newest first through every delivery; other tenants get 404', async () => {
    const rx = await startReceiver();
    try {
      const ep = await api.post('/v1/webhook-endpoints', { url: rx.url, events: ['customer.created'] });
      expect(ep.status, ep.text).to.equal(201);
      const N = 7;
      for (let i = 0; i < N; i++) await newCustomer(api);
      const path = `/v1/webhook-endpoints/${ep.body.id}/deliveries`;
      const all = await waitFor(
        () => api.get(`${path}?limit=200`),
        (r) => r.status === 200 && r.body.data.length === N,
        { what: `${N} deliveries in the log` },
      );
      const rows = await walk<{ id: string; createdAt: string }>(api, path, 3);
      expect(rows.map((r) => r.id)).to.deep.equal(all.body.data.map((d: { id: string }) => d.id));
      expect(new Set(rows.map((r) => r.id)).size).to.equal(N);
      expect(newestFirst(rows)).to.equal(true);

      const first = await api.get(`${path}?limit=3`);
      expect(first.body.nextCursor).to.be.a('string');
      const other = client(app.baseUrl, (await app.key(['*'])).key);
      expectProblem(await other.get(path), 404, 'webhook_endpoint_not_found');
      expectProblem(
        await other.get(`${path}?cursor=${encodeURIComponent(first.body.nextCursor)}`),
        404,
        'webhook_endpoint_not_found',
      );
      expectProblem(await api.get(`${path}?cursor=bm9wZQ`), 400, 'validation_failed');
    } finally {
      await rx.close();
    }
  });

  it('rows stamped by the database within one millisecond are neither skipped nor repeated', async () => {
    const k = await app.key(['*']);
    const own = client(app.baseUrl, k.key);
    const ep = await own.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/same-ms', events: ['*'] });
    expect(ep.status, ep.text).to.equal(201);
    // created_at defaults to now(): microseconds. Three deliveries in the same millisecond, ids
    // ascending with time, so newest first is also id descending.
    const ids = ['dlv_00000000000000000000000001', 'dlv_00000000000000000000000002', 'dlv_00000000000000000000000003'];
    await app.runtime.services.knex('webhook_deliveries').insert(
      ids.map((id, i) => ({
        id,
        tenant: k.tenant,
        endpoint_id: ep.body.id,
        event_id: `00000000-0000-4000-8000-00000000000${i}`,
        event_type: 'customer.created',
        payload: JSON.stringify({}),
        status: 'succeeded',
        created_at: `2026-11-28T10:00:00.000${i + 1}00Z`,
      })),
    );
    const rows = await walk<{ id: string }>(own, `/v1/webhook-endpoints/${ep.body.id}/deliveries`, 1);
    expect(rows.map((r) => r.id)).to.deep.equal([...ids].reverse());
  });

  it('/openapi.json publishes limit and cursor on both lists', async () => {
    const doc = (await api.get('/openapi.json')).body;
    for (const p of ['/v1/webhook-endpoints', '/v1/webhook-endpoints/{id}/deliveries']) {
      const names = (doc.paths[p].get.parameters as { name: string; in: string }[])
        .filter((x) => x.in === 'query')
        .map((x) => x.name);
      expect(names, p).to.include.members(['limit', 'cursor']);
    }
  });
});
