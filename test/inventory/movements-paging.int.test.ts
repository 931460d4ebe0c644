import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, newCustomer, placeOrder } from '../support/oms.ts';
import { walk } from '../support/paging.ts';
import { waitFor } from '../support/wait.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('Inventory movements and levels page with keyset cursors', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  it('GET /v1/inventory/:sku/movements walks every movement once, newest first', async () => {
    for (let i = 1; i <= 7; i++) await adjust(api, 'PAGE-MOV', i, i % 2 ? undefined : 'backroom');
    await waitFor(
      () => api.get('/v1/inventory/PAGE-MOV/movements?limit=200'),
      (r) => r.status === 200 && r.body.data.length === 7,
      { what: 'seven movements in the read model' },
    );
    const rows = await walk<{ id: string; onHandDelta: number }>(api, '/v1/inventory/PAGE-MOV/movements', 3);
    expect(rows.map((r) => r.onHandDelta)).to.deep.equal([7, 6, 5, 4, 3, 2, 1]);
    expect(new Set(rows.map((r) => r.id)).size).to.equal(7);
  });

  it('GET /v1/inventory walks every level once, by SKU then location', async () => {
    const k = await app.key(['*']);
    const own = client(app.baseUrl, k.key);
    for (const sku of ['LV-B', 'LV-A', 'LV-C']) {
      await adjust(own, sku, 1);
      await adjust(own, sku, 1, 'backroom');
    }
    await waitFor(
      () => own.get('/v1/inventory?limit=200'),
      (r) => r.status === 200 && r.body.data.length === 6,
      { what: 'six levels in the read model' },
    );
    const rows = await walk<{ sku: string; location: string }>(own, '/v1/inventory', 4);
    expect(rows.map((r) => `${r.sku}@${r.location}`)).to.deep.equal([
      'LV-A@backroom',
      'LV-A@default',
      'LV-B@backroom',
      'LV-B@default',
      'LV-C@backroom',
      'LV-C@default',
    ]);
  });

  it('GET /v1/inventory?maxAvailable= lists only low stock (available = onHand − reserved), paged like the rest', async () => {
    const own = client(app.baseUrl, (await app.key(['*'])).key);
    await adjust(own, 'LOW-A', 2);
    await adjust(own, 'LOW-B', 9);
    await adjust(own, 'LOW-C', 5, 'backroom');
    await adjust(own, 'LOW-D', 6);
    // Reserving takes LOW-D's available from 6 to 3: low stock counts what can still be sold.
    await placeOrder(own, await newCustomer(own), [{ sku: 'LOW-D', quantity: 3 }]);
    await waitFor(
      () => own.get('/v1/inventory?sku=LOW-D'),
      (r) => r.status === 200 && r.body.data[0]?.reserved === 3,
      { what: 'the reservation in the read model' },
    );
    await waitFor(
      () => own.get('/v1/inventory?limit=200'),
      (r) => r.status === 200 && r.body.data.length === 4,
      { what: 'four levels in the read model' },
    );
    const low = await walk<{ sku: string; location: string; available: number }>(
      own,
      '/v1/inventory?maxAvailable=5',
      1,
    );
    expect(low.map((r) => `${r.sku}@${r.location}:${r.available}`)).to.deep.equal([
      'LOW-A@default:2',
      'LOW-C@backroom:5',
      'LOW-D@default:3',
    ]);
    const none = await own.get('/v1/inventory?maxAvailable=0');
    expect(none.body.data).to.deep.equal([]);
    expectProblem(await own.get('/v1/inventory?maxAvailable=-1'), 400, 'validation_failed');
    expectProblem(await own.get('/v1/inventory?maxAvailable=lots'), 400, 'validation_failed');
  });

  it('a cursor the API did not issue is 400, never a 500', async () => {
    for (const cursor of [b64(['yesterday', 'x']), b64(['2026-11-28T10:00:00.000Z', 'not-a-uuid']), 'bm9wZQ']) {
      expectProblem(await api.get(`/v1/inventory/PAGE-MOV/movements?cursor=${cursor}`), 400, 'validation_failed');
    }
    expectProblem(await api.get(`/v1/inventory?cursor=${b64(['A\u0000', 'default'])}`), 400, 'validation_failed');
    for (const key of [
      ['2026-11-28T10:00:00.000Z', '\u0000'],
      ['2026-02-30T10:00:00.000Z', 'ord_x'],
      ['March 7, 2026', 'ord_x'],
    ])
      expectProblem(await api.get(`/v1/orders?cursor=${b64(key)}`), 400, 'validation_failed');
  });
});
