import { expect } from 'chai';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import { rebuildProjection, verifyProjection } from '../../src/projector/rebuild.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';

describe('Analytics tables match a fold of the events', function () {
  this.timeout(90_000);
  let app: TestApp;
  let tenant: string;
  let events: RecordedEvent[];

  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    tenant = k.tenant;
    const api = client(app.baseUrl, k.key);
    const customerId = await newCustomer(api);
    await adjust(api, 'AN-1', 3);
    await adjust(api, 'AN-2', 10);
    await adjust(api, 'AN-2', -1, undefined, 'damaged');
    const a = await placeOrder(api, customerId, [{ sku: 'AN-1', quantity: 2, unitPrice: 700 }]);
    await orderReaches(api, a.id, ['confirmed']); // before b competes for AN-1
    const b = await placeOrder(api, customerId, [
      { sku: 'AN-1', quantity: 2, unitPrice: 700 },
      { sku: 'AN-2', quantity: 1, unitPrice: 50 },
    ]);
    await orderReaches(api, b.id, ['backordered']);
    const c = await placeOrder(api, customerId, [{ sku: 'AN-2', quantity: 4, unitPrice: 50 }], { currency: 'USD' });
    await orderReaches(api, c.id, ['confirmed']);
    const s = await api.post(`/v1/orders/${a.id}/shipments`, { lines: [{ sku: 'AN-1', quantity: 2 }], carrier: 'ups' });
    await api.post(`/v1/shipments/${s.body.id}/events`, { status: 'in_transit' });
    await api.post(`/v1/shipments/${s.body.id}/events`, { status: 'exception', description: 'address unclear' });
    await api.post(`/v1/shipments/${s.body.id}/events`, { status: 'delivered' });
    await api.post(`/v1/orders/${c.id}/cancel`, { reason: 'changed mind' });
    await adjust(api, 'AN-1', 1); // b gets its second AN-1 unit → confirmed
    await orderReaches(api, b.id, ['confirmed']);
    await quiescent(app);
    events = [];
    let after = null;
    for (;;) {
      const page = await app.runtime.services.store.readAll({ after, maxCount: 500, tenant });
      events.push(...page);
      if (page.length < 500) break;
      after = page.at(-1)!.position;
    }
  });
  after(async () => app?.stop());

  const q = async (sql: string) => (await app.db.pool.query(sql, [tenant])).rows;
  const of = (type: string) => events.filter((e) => e.type === type).map((e) => e.data as Record<string, any>);

  it('daily orders and revenue per currency', async () => {
    const expected = new Map<string, { placed: number; revenue: number }>();
    for (const d of of('OrderPlaced')) {
      const key = `${d.placedAt.slice(0, 10)}|${d.currency}`;
      const cur = expected.get(key) ?? { placed: 0, revenue: 0 };
      cur.placed++;
      cur.revenue += d.lines.reduce(
        (n: number, l: { quantity: number; unitPrice: number }) => n + l.quantity * l.unitPrice,
        0,
      );
      expected.set(key, cur);
    }
    const rows = await q(
      `select to_char(day, 'YYYY-MM-DD') as day, currency, orders_placed, revenue_placed::int, orders_cancelled, revenue_cancelled::int from analytics.daily_orders where tenant = $1`,
    );
    expect(rows.map((r) => [`${r.day}|${r.currency}`, r.orders_placed, r.revenue_placed]).sort()).to.deep.equal(
      [...expected].map(([k, v]) => [k, v.placed, v.revenue]).sort(),
    );
    expect(rows.find((r) => r.currency === 'USD')).to.include({ orders_cancelled: 1, revenue_cancelled: 200 });
  });

  it('units per SKU per day, ordered and shipped', async () => {
    const ordered: Record<string, number> = {};
    for (const d of of('OrderPlaced')) for (const l of d.lines) ordered[l.sku] = (ordered[l.sku] ?? 0) + l.quantity;
    const shipped: Record<string, number> = {};
    for (const d of of('StockShipped')) shipped[d.sku] = (shipped[d.sku] ?? 0) + d.quantity;
    const rows = await q(
      `select sku, sum(units_ordered)::int as o, sum(units_shipped)::int as s from analytics.sku_daily_units where tenant = $1 group by sku`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.sku, [r.o, r.s]]))).to.deep.equal({
      'AN-1': [ordered['AN-1'], shipped['AN-1'] ?? 0],
      'AN-2': [ordered['AN-2'], shipped['AN-2'] ?? 0],
    });
  });

  it('fulfilment lead times and backorder durations per order', async () => {
    const rows = await q(
      `select order_id, placed_to_confirmed_s, placed_to_shipped_s, placed_to_delivered_s, cancelled_at from analytics.order_fulfillment where tenant = $1`,
    );
    expect(rows).to.have.length(of('OrderPlaced').length);
    const byStream = (type: string) =>
      new Set(events.filter((e) => e.type === type).map((e) => e.streamName.split(':')[2]));
    for (const r of rows) {
      expect(r.placed_to_confirmed_s !== null, `${r.order_id} confirmed`).to.equal(
        byStream('OrderConfirmed').has(r.order_id),
      );
      expect(r.placed_to_shipped_s !== null).to.equal(byStream('OrderShipmentRecorded').has(r.order_id));
      expect(r.placed_to_delivered_s !== null).to.equal(byStream('OrderDelivered').has(r.order_id));
      expect(r.cancelled_at !== null).to.equal(byStream('OrderCancelled').has(r.order_id));
      if (r.placed_to_confirmed_s !== null) expect(r.placed_to_confirmed_s).to.be.at.least(0);
    }
    const backorders = await q(`select order_id, resolution, duration_s from analytics.backorders where tenant = $1`);
    expect(backorders.map((b) => b.order_id).sort()).to.deep.equal([...byStream('OrderBackordered')].sort());
    expect(backorders[0].resolution).to.equal('confirmed');
    expect(backorders[0].duration_s).to.be.greaterThan(0);
  });

  it('inventory movements by reason per day, and shipment exceptions per carrier', async () => {
    const expected: Record<string, number> = {};
    for (const e of events.filter((x) => ['StockAdjusted', 'StockCounted', 'StockShipped'].includes(x.type))) {
      const d = e.data as Record<string, any>;
      const key = `${d.sku}|${e.type === 'StockShipped' ? 'shipment' : d.reason}`;
      expected[key] = (expected[key] ?? 0) + d.onHandDelta;
    }
    const rows = await q(
      `select sku, reason, sum(on_hand_delta)::int as n from analytics.inventory_movements_daily where tenant = $1 group by sku, reason`,
    );
    expect(Object.fromEntries(rows.map((r) => [`${r.sku}|${r.reason}`, r.n]))).to.deep.equal(expected);
    expect(await q(`select carrier, exceptions from analytics.shipment_exceptions where tenant = $1`)).to.deep.equal([
      { carrier: 'ups', exceptions: 1 },
    ]);
  });

  it('rebuilds like any read model (shadow schema, identical result)', async () => {
    const p = app.runtime.projections.find((x) => x.name === 'analytics')!;
    expect(
      (await verifyProjection({ knex: app.runtime.services.knex, store: app.runtime.services.store, projection: p }))
        .differences,
    ).to.deep.equal([]);
    const before = await q(`select * from analytics.daily_orders where tenant = $1 order by day, currency`);
    await rebuildProjection({ knex: app.runtime.services.knex, store: app.runtime.services.store, projection: p });
    expect(await q(`select * from analytics.daily_orders where tenant = $1 order by day, currency`)).to.deep.equal(
      before,
    );
  });
});
