import { expect } from 'chai';
import { MAX_QUANTITY } from '../../domain/shared/limits.ts';
import { verifyProjection } from '../../src/projector/rebuild.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { address, newCustomer } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';
import { waitFor } from '../support/wait.ts';

// The two poison events of the hardening issue, over HTTP: a stock level beyond int, and a line
// total beyond 2^53 − 1. What the domain accepts, every read model holds exactly (and a replay
// agrees); what it does not, it refuses with 422 and appends nothing.
describe('Quantity and money bounds over HTTP', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;
  let customerId: string;

  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
    customerId = await newCustomer(api);
  });
  after(async () => app?.stop());

  const eventCount = async () => (await app.db.pool.query('select count(*)::int as n from es_events')).rows[0].n;
  const verify = async (name: string) => {
    const projection = app.runtime.allProjections().find((p) => p.name === name)!;
    const r = await verifyProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection,
    });
    expect(r.differences, name).to.deep.equal([]);
  };

  it('stock beyond int: counted 10^9 and received 3 × 10^9 is held by the read models; beyond 10^12 is 422', async () => {
    const put = (onHand: number) => api.put('/v1/inventory/BIG-1/locations/default', { onHand, reason: 'cycle_count' });
    const receive = (delta: number) =>
      api.post('/v1/inventory/adjustments', { sku: 'BIG-1', delta, reason: 'received' });
    expect((await put(1_000_000_000)).status).to.equal(200);
    for (let i = 0; i < 3; i++) expect((await receive(1_000_000_000)).status).to.equal(201);
    await quiescent(app);
    const level = await waitFor(
      () => api.get('/v1/inventory/BIG-1'),
      (r) => r.body?.onHand === 4_000_000_000,
      { what: 'the level read model at 4 × 10^9' },
    );
    expect(level.body).to.include({ onHand: 4_000_000_000, reserved: 0, available: 4_000_000_000 });
    const ledger = await api.get('/v1/inventory/BIG-1/movements');
    expect(ledger.body.data[0]).to.include({ onHandDelta: 1_000_000_000, onHand: 4_000_000_000 });
    const daily = await app.db.pool.query(
      'select sum(on_hand_delta)::text as n from analytics.inventory_movements_daily where tenant = $1',
      [tenant],
    );
    expect(daily.rows[0].n).to.equal('4000000000');

    // Up to the bound is fine; a level beyond it is 422, a request beyond it 400.
    expect((await put(MAX_QUANTITY)).status).to.equal(200);
    const before = await eventCount();
    const refused = await receive(1);
    expectProblem(refused, 422, 'quantity_out_of_range');
    expectProblem(await put(MAX_QUANTITY + 1), 400, 'validation_failed');
    expectProblem(await receive(MAX_QUANTITY + 1), 400, 'validation_failed');
    expect(await eventCount()).to.equal(before);
    await quiescent(app);
    await waitFor(
      () => api.get('/v1/inventory/BIG-1'),
      (r) => r.body?.onHand === MAX_QUANTITY,
      { what: 'the level read model at MAX_QUANTITY' },
    );
    await verify('inventory');
  });

  it('money: a line total beyond 2^53 − 1 is 422 amount_out_of_range; totals up to it are exact everywhere', async () => {
    const order = (lines: object[]) =>
      api.post('/v1/orders', { customerId, currency: 'JPY', lines, shippingAddress: address });
    const before = await eventCount();
    expectProblem(
      await order([{ sku: 'P-1', quantity: 99_999, unitPrice: 99_999_999_999 }]),
      422,
      'amount_out_of_range',
    );
    expect(await eventCount()).to.equal(before);

    // 90,071 × 99,999,999,999 = 9,007,099,999,909,929 ≤ 2^53 − 1; three of them add up to an odd
    // number beyond 2^54, which a double cannot hold.
    const lineTotal = 90_071 * 99_999_999_999;
    expect(Number.isSafeInteger(lineTotal)).to.equal(true);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await order([{ sku: 'P-1', quantity: 90_071, unitPrice: 99_999_999_999 }]);
      expect(res.status, res.text).to.equal(201);
      expect(res.body.lines[0].lineTotal).to.equal(9_007_099_999_909_929);
      expect(res.body.totals).to.include({ subtotal: 9_007_099_999_909_929, total: 9_007_099_999_909_929 });
      ids.push(res.body.id);
    }
    await quiescent(app);
    const orders = await waitFor(
      () => app.db.pool.query('select subtotal::text from orders where tenant = $1 and id = any($2)', [tenant, ids]),
      (r) => r.rows.length === 3,
      { what: 'the three orders in the read model' },
    );
    expect(orders.rows.map((r) => r.subtotal)).to.deep.equal(Array(3).fill('9007099999909929'));
    const daily = await app.db.pool.query(
      `select revenue_placed::text, orders_placed from analytics.daily_orders where tenant = $1 and currency = 'JPY'`,
      [tenant],
    );
    expect(daily.rows).to.deep.equal([{ revenue_placed: (3n * 9_007_099_999_909_929n).toString(), orders_placed: 3 }]);
    for (const name of ['orders', 'analytics']) await verify(name);
  });
});
