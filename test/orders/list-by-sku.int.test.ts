import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

// GET /v1/orders?sku=: the orders with a line of that SKU (the lines they have now), with the
// other filters and keyset paging, never another tenant's.

interface Listed {
  id: string;
  status: string;
  customerId: string;
  lines: { sku: string }[];
}

describe('Orders list filtered by SKU', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let other: ReturnType<typeof client>;
  let c1: string;
  let c2: string;
  const ids: Record<string, string> = {};
  let otherOrder: string;
  let all: Listed[];

  const list = async (query: string) => {
    const res = await api.get(`/v1/orders?${query}`);
    expect(res.status, res.text).to.equal(200);
    return res.body as { data: Listed[]; nextCursor: string | null };
  };
  const idsOf = async (query: string) => (await list(query)).data.map((o) => o.id);
  const expected = (sku: string, keep: (o: Listed) => boolean = () => true) =>
    all.filter((o) => o.lines.some((l) => l.sku === sku) && keep(o)).map((o) => o.id);

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
    other = client(app.baseUrl, (await app.key(['*'])).key);
    [c1, c2] = [await newCustomer(api), await newCustomer(api)];
    // No stock anywhere: every order ends backordered unless cancelled.
    ids.ab = (
      await placeOrder(api, c1, [
        { sku: 'SKU-A', quantity: 1 },
        { sku: 'SKU-B', quantity: 2 },
      ])
    ).id;
    ids.b = (await placeOrder(api, c1, [{ sku: 'SKU-B', quantity: 1 }])).id;
    ids.a2 = (await placeOrder(api, c2, [{ sku: 'SKU-A', quantity: 3 }])).id;
    ids.cancelled = (await placeOrder(api, c1, [{ sku: 'SKU-A', quantity: 1 }])).id;
    ids.changed = (await placeOrder(api, c2, [{ sku: 'SKU-A', quantity: 1 }])).id;
    ids.last = (
      await placeOrder(api, c1, [
        { sku: 'SKU-A', quantity: 1 },
        { sku: 'sku.a_x', quantity: 1 },
      ])
    ).id;
    otherOrder = (await placeOrder(other, await newCustomer(other), [{ sku: 'SKU-A', quantity: 1 }])).id;

    const cancel = await api.post(`/v1/orders/${ids.cancelled}/cancel`, { reason: 'customer asked' });
    expect(cancel.status, cancel.text).to.equal(200);
    // A change of lines moves the order off SKU-A (once allocation is done with it: If-Match holds).
    const backordered = await orderReaches(api, ids.changed!, ['backordered']);
    const patched = await api.patch(
      `/v1/orders/${ids.changed}`,
      { lines: [{ sku: 'SKU-D', quantity: 1, unitPrice: 1000 }] },
      { 'If-Match': `"${backordered.version}"` },
    );
    expect(patched.status, patched.text).to.equal(200);

    // The read model has settled: every order listed in its final status, the change applied.
    all = await waitFor(
      async () => (await list('limit=100')).data,
      (rows) =>
        rows.length === 6 &&
        rows.every((o) => o.status === (o.id === ids.cancelled ? 'cancelled' : 'backordered')) &&
        rows.find((o) => o.id === ids.changed)!.lines[0]!.sku === 'SKU-D',
      { what: 'the six orders in their final state' },
    );
  });
  after(async () => app?.stop());

  it('lists the orders with a line of the SKU, newest first, and only those', async () => {
    const a = await idsOf('sku=SKU-A');
    expect(a).to.have.members([ids.ab, ids.a2, ids.cancelled, ids.last]);
    expect(a).to.deep.equal(expected('SKU-A'));
    expect(await idsOf('sku=SKU-B'))
      .to.deep.equal(expected('SKU-B'))
      .and.have.members([ids.ab, ids.b]);
    expect(await idsOf('sku=SKU-D')).to.deep.equal([ids.changed]);
    expect(await idsOf('sku=sku.a_x')).to.deep.equal([ids.last]);
    // exact and case-sensitive; an unknown SKU is an empty page, not a 404
    expect(await idsOf('sku=sku-a')).to.deep.equal([]);
    expect(await idsOf('sku=SKU')).to.deep.equal([]);
    expect(await list('sku=NOPE')).to.deep.equal({ data: [], nextCursor: null });
  });

  it('combines with status, customerId and dates', async () => {
    expect(await idsOf('sku=SKU-A&status=cancelled')).to.deep.equal([ids.cancelled]);
    expect(await idsOf('sku=SKU-A&status=backordered')).to.deep.equal(
      expected('SKU-A', (o) => o.status === 'backordered'),
    );
    expect(await idsOf(`sku=SKU-A&customerId=${c2}`)).to.deep.equal([ids.a2]);
    expect(await idsOf(`sku=SKU-B&customerId=${c2}`)).to.deep.equal([]);
    expect(await idsOf('sku=SKU-A&createdTo=2000-01-01T00:00:00Z')).to.deep.equal([]);
    expect(await idsOf('sku=SKU-A&createdFrom=2000-01-01T00:00:00Z')).to.deep.equal(expected('SKU-A'));
  });

  it('pages with the cursor through exactly the matching orders', async () => {
    const seen: string[] = [];
    let query = 'sku=SKU-A&status=backordered&limit=1';
    for (let pages = 0; ; pages++) {
      expect(pages, 'pages').to.be.lessThan(5);
      const page = await list(query);
      expect(page.data).to.have.length(1);
      seen.push(page.data[0]!.id);
      if (!page.nextCursor) break;
      query = `sku=SKU-A&status=backordered&limit=1&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen).to.deep.equal([ids.last, ids.a2, ids.ab]);
  });

  it("never lists another tenant's orders", async () => {
    expect(await idsOf('sku=SKU-A')).to.not.include(otherOrder);
    const theirs = await other.get('/v1/orders?sku=SKU-A');
    expect(theirs.body.data.map((o: Listed) => o.id)).to.deep.equal([otherOrder]);
  });

  it('a sku that is not a SKU → 400 validation_failed on query:/sku', async () => {
    for (const bad of ['bad%20sku', '-A', 'A'.repeat(65), 'A%2CB', '%00', '']) {
      const res = await api.get(`/v1/orders?sku=${bad}`);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors, bad).to.deep.equal([
        { path: 'query:/sku', message: 'must match pattern "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"' },
      ]);
    }
  });
});
