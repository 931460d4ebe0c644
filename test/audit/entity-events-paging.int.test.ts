import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { walk } from '../support/paging.ts';
import { waitFor } from '../support/wait.ts';

interface Ev {
  id: string;
  type: string;
  revision: number;
  position: string;
}

const positionOrder = (a: string, b: string) => {
  const [ac, ap] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bc, bp] = b.split('-').map(BigInt) as [bigint, bigint];
  return ac !== bc ? (ac < bc ? -1 : 1) : ap === bp ? 0 : ap < bp ? -1 : 1;
};

describe('Entity event histories page in stream order with revision cursors', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let other: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
    other = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  /** Walks the history and checks: every event once, revisions 1..n in order, then the tenant fence. */
  async function expectStreamPaging(path: string, n: number, limit: number) {
    const rows = await walk<Ev>(api, path, limit);
    expect(rows.map((e) => e.revision)).to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
    expect(new Set(rows.map((e) => e.id)).size).to.equal(n);
    const first = await api.get(`${path}?limit=${limit}`);
    expect(first.body.nextCursor).to.be.a('string');
    const code = `${path.split('/')[2]!.replace(/s$/, '')}_not_found`; // /v1/orders/… → order_not_found
    expectProblem(await other.get(path), 404, code);
    expectProblem(await other.get(`${path}?cursor=${encodeURIComponent(first.body.nextCursor)}`), 404, code);
    expectProblem(await api.get(`${path}?cursor=bm9wZQ`), 400, 'validation_failed');
    return rows;
  }

  it('GET /v1/customers/:id/events', async () => {
    const id = await newCustomer(api);
    for (let i = 0; i < 6; i++) {
      const res = await api.patch(`/v1/customers/${id}`, { name: `Name ${i}` });
      expect(res.status, res.text).to.equal(200);
    }
    const rows = await expectStreamPaging(`/v1/customers/${id}/events`, 7, 3);
    expect(rows[0]!.type).to.equal('CustomerRegistered');
  });

  it('GET /v1/orders/:id/events and GET /v1/shipments/:id/events', async () => {
    const customerId = await newCustomer(api);
    await adjust(api, 'PAGE-EV', 10);
    const o = await placeOrder(api, customerId, [{ sku: 'PAGE-EV', quantity: 1 }]);
    await orderReaches(api, o.id, ['confirmed']);
    for (let i = 0; i < 3; i++) {
      const res = await api.patch(`/v1/orders/${o.id}`, { notes: `note ${i}` });
      expect(res.status, res.text).to.equal(200);
    }
    const orderEvents = (await api.get(`/v1/orders/${o.id}/events?limit=200`)).body.data as Ev[];
    expect(orderEvents.length).to.be.greaterThan(4);
    await expectStreamPaging(`/v1/orders/${o.id}/events`, orderEvents.length, 2);

    const s = await api.post(`/v1/orders/${o.id}/shipments`, {
      lines: [{ sku: 'PAGE-EV', quantity: 1 }],
      carrier: 'dhl',
    });
    expect(s.status, s.text).to.equal(201);
    // Carrier times must lie between the shipment's creation and now: a millisecond apart after it.
    const createdAt = Date.parse(s.body.createdAt);
    for (const [status, offsetMs] of [
      ['in_transit', 1],
      ['out_for_delivery', 2],
      ['delivered', 3],
    ] as const) {
      const occurredAt = new Date(createdAt + offsetMs).toISOString();
      const res = await api.post(`/v1/shipments/${s.body.id}/events`, { status, occurredAt });
      expect(res.status, res.text).to.equal(201);
    }
    await expectStreamPaging(`/v1/shipments/${s.body.id}/events`, 4, 3);
  });

  it('GET /v1/inventory/:sku/events pages across locations in log order', async () => {
    for (let i = 0; i < 4; i++) {
      await adjust(api, 'PAGE-INV', 1);
      await adjust(api, 'PAGE-INV', 2, 'backroom');
    }
    await waitFor(
      () => api.get('/v1/inventory/PAGE-INV'),
      (r) => r.status === 200 && r.body.locations.length === 2,
      { what: 'both locations in the read model' },
    );
    const path = '/v1/inventory/PAGE-INV/events';
    const rows = await walk<Ev>(api, path, 3);
    expect(rows).to.have.length(8);
    expect(new Set(rows.map((e) => e.id)).size).to.equal(8);
    expect(rows.map((e) => e.position)).to.deep.equal(rows.map((e) => e.position).sort(positionOrder));
    const first = await api.get(`${path}?limit=3`);
    expect(first.body.nextCursor).to.be.a('string');
    expectProblem(await other.get(path), 404, 'sku_not_found');
    expectProblem(await other.get(`${path}?cursor=${encodeURIComponent(first.body.nextCursor)}`), 404, 'sku_not_found');
    expectProblem(await api.get(`${path}?cursor=bm9wZQ`), 400, 'validation_failed');
  });
});
