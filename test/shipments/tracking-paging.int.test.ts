import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { walk } from '../support/paging.ts';
import { waitFor } from '../support/wait.ts';

describe('Tracking lookup pages newest first with keyset cursors', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp();
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  it('GET /v1/tracking/:trackingNumber walks every shipment with that number once, newest first', async () => {
    const customerId = await newCustomer(api);
    await adjust(api, 'PAGE-TRK', 10);
    const o = await placeOrder(api, customerId, [{ sku: 'PAGE-TRK', quantity: 5 }]);
    await orderReaches(api, o.id, ['confirmed']);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await api.post(`/v1/orders/${o.id}/shipments`, {
        lines: [{ sku: 'PAGE-TRK', quantity: 1 }],
        carrier: 'dhl',
        trackingNumber: 'CONSOL-1',
      });
      expect(s.status, s.text).to.equal(201);
      ids.push(s.body.id);
    }
    await waitFor(
      () => api.get('/v1/tracking/CONSOL-1?limit=200'),
      (r) => r.status === 200 && r.body.data.length === 5,
      { what: 'five shipments in the read model' },
    );
    const rows = await walk<{ id: string }>(api, '/v1/tracking/CONSOL-1', 2);
    expect(rows.map((r) => r.id)).to.deep.equal([...ids].reverse());
    expectProblem(await api.get('/v1/tracking/CONSOL-1?cursor=bm9wZQ'), 400, 'validation_failed');
    const other = client(app.baseUrl, (await app.key(['*'])).key);
    expectProblem(await other.get('/v1/tracking/CONSOL-1'), 404, 'shipment_not_found');
  });
});
