import { expect } from 'chai';
import { recordRefund } from '../../src/orders/commands.ts';
import { verifyProjection } from '../../src/projector/rebuild.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { address, newCustomer } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';

// Order money in analytics.daily_orders (placed discount, tax, shipping, total; cancelled total;
// captured; refunded) and the orders read model agree with a replay of the events.

describe('Analytics: order money per day and currency', function () {
  this.timeout(120_000);
  let app: TestApp;
  let tenant: string;

  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    tenant = k.tenant;
    const api = client(app.baseUrl, k.key);
    const customerId = await newCustomer(api);
    const order = async (lines: object[], shipping?: number, currency = 'EUR') => {
      const res = await api.post('/v1/orders', {
        customerId,
        currency,
        lines,
        shippingAddress: address,
        ...(shipping !== undefined ? { shipping: { amount: shipping } } : {}),
      });
      expect(res.status, res.text).to.equal(201);
      return res.body as { id: string; totals: { total: number } };
    };
    // total 2 × 1000 − 300 + 170 + 450 = 2320
    const a = await order([{ sku: 'AM-1', quantity: 2, unitPrice: 1000, discount: 300, tax: 170 }], 450);
    // total 500 + 100 = 600, cancelled
    const b = await order([{ sku: 'AM-2', quantity: 1, unitPrice: 500, tax: 100 }]);
    // an order like the ones before money: total = subtotal 700 (USD)
    await order([{ sku: 'AM-3', quantity: 1, unitPrice: 700 }], undefined, 'USD');
    await api.post(`/v1/orders/${a.id}/payments`, { type: 'authorized', amount: 2320, reference: 'a1' });
    await api.post(`/v1/orders/${a.id}/payments`, { type: 'captured', amount: 2320, reference: 'c1' });
    await api.post(`/v1/orders/${b.id}/payments`, { type: 'captured', amount: 600, reference: 'c2' });
    await api.post(`/v1/orders/${b.id}/cancel`, { reason: 'changed mind' });
    await recordRefund(
      { store: app.runtime.services.store, emailHashKey: '' },
      { tenant, actor: 'test', correlationId: 'c', causationId: null, now: new Date().toISOString() },
      { orderId: b.id, refundId: 'rfd_b', amount: 600, reference: 'r2' },
    );
    await api.post(`/v1/orders/${a.id}/holds`, { reason: 'other' });
    await quiescent(app);
  });
  after(async () => app?.stop());

  it('money columns: placed, cancelled, captured, refunded', async () => {
    const rows = (
      await app.db.pool.query(
        `select currency, orders_placed, revenue_placed::text, discount_placed::text, tax_placed::text,
                shipping_placed::text, total_placed::text, orders_cancelled, total_cancelled::text,
                captured::text, refunded::text
           from analytics.daily_orders where tenant = $1 order by currency`,
        [tenant],
      )
    ).rows;
    expect(rows).to.deep.equal([
      {
        currency: 'EUR',
        orders_placed: 2,
        revenue_placed: '2500',
        discount_placed: '300',
        tax_placed: '270',
        shipping_placed: '450',
        total_placed: '2920',
        orders_cancelled: 1,
        total_cancelled: '600',
        captured: '2920',
        refunded: '600',
      },
      {
        currency: 'USD',
        orders_placed: 1,
        revenue_placed: '700',
        discount_placed: '0',
        tax_placed: '0',
        shipping_placed: '0',
        total_placed: '700',
        orders_cancelled: 0,
        total_cancelled: '0',
        captured: '0',
        refunded: '0',
      },
    ]);
  });

  it('analytics and orders are identical to a replay (projections verify)', async () => {
    for (const name of ['analytics', 'orders']) {
      const projection = app.runtime.projections.find((p) => p.name === name)!;
      const r = await verifyProjection({
        knex: app.runtime.services.knex,
        store: app.runtime.services.store,
        projection,
      });
      expect(r.differences, name).to.deep.equal([]);
    }
  });
});
