import { expect } from 'chai';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, newCustomer, orderReaches, placeOrder } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';

// GET /v1/analytics/…: exact figures for a small known set of orders (one backordered and later
// confirmed by a restock, one still waiting, one cancelled, one shipped), per tenant, under
// analytics:read only, with ranges checked.

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => iso.slice(0, 10);
const shift = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

describe('GET /v1/analytics/daily-orders, /top-skus and /fulfilment (int)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let tenant: string;
  let reader: ReturnType<typeof client>;
  let events: RecordedEvent[];
  const ids: Record<string, string> = {};

  before(async () => {
    app = await startTestApp();
    const admin = await app.key(['*']);
    tenant = admin.tenant;
    reader = client(app.baseUrl, (await app.key(['analytics:read'], tenant)).key);
    const api = client(app.baseUrl, admin.key);
    const customerId = await newCustomer(api);
    await adjust(api, 'A-1', 5);
    await adjust(api, 'A-2', 10);
    await adjust(api, 'A-3', 1);
    // One at a time, each decided before the next competes for the same stock.
    const place = async (
      name: string,
      lines: { sku: string; quantity: number; unitPrice: number }[],
      status: string,
      extra = {},
    ) => {
      ids[name] = (await placeOrder(api, customerId, lines, extra)).id;
      await orderReaches(api, ids[name], [status]);
    };
    await place('o1', [{ sku: 'A-1', quantity: 2, unitPrice: 700 }], 'confirmed');
    await place(
      'o2',
      [
        { sku: 'A-1', quantity: 2, unitPrice: 700 },
        { sku: 'A-2', quantity: 1, unitPrice: 50 },
      ],
      'confirmed',
    );
    await place('o3', [{ sku: 'A-1', quantity: 3, unitPrice: 700 }], 'backordered'); // 1 of A-1 left
    await place('o4', [{ sku: 'A-2', quantity: 4, unitPrice: 50 }], 'confirmed', { currency: 'USD' });
    await place('o5', [{ sku: 'A-3', quantity: 2, unitPrice: 900 }], 'backordered'); // waits
    const cancel = await api.post(`/v1/orders/${ids.o4}/cancel`, { reason: 'changed mind' });
    expect(cancel.status, cancel.text).to.equal(200);
    const shipment = await api.post(`/v1/orders/${ids.o1}/shipments`, {
      lines: [{ sku: 'A-1', quantity: 2 }],
      carrier: 'ups',
    });
    expect(shipment.status, shipment.text).to.equal(201);
    await adjust(api, 'A-1', 2); // the restock: o3 gets its units
    await orderReaches(api, ids.o3!, ['confirmed']);
    await quiescent(app);
    events = await app.runtime.services.store.readAll({ after: null, maxCount: 1000, tenant });
  });
  after(async () => app?.stop());

  const at = (type: string, orderId: string) =>
    (events.find((e) => e.type === type && e.streamName.endsWith(`:${orderId}`))!.data as { occurredAt: string })
      .occurredAt;
  const placedDays = () =>
    events.filter((e) => e.type === 'OrderPlaced').map((e) => dayOf((e.data as { placedAt: string }).placedAt));

  it('daily orders: every day of the range, units and money per currency, exact', async () => {
    const days = placedDays();
    expect(new Set(days).size, 'the orders were placed on one UTC day').to.equal(1);
    const day = days[0]!;
    const res = await reader.get(`/v1/analytics/daily-orders?from=${shift(day, -1)}&to=${shift(day, 1)}`);
    expect(res.status, res.text).to.equal(200);
    const zero = { ordersPlaced: 0, ordersCancelled: 0, unitsOrdered: 0, unitsShipped: 0, money: [] };
    const money = (currency: string, o: Record<string, number>) => ({
      currency,
      ordersPlaced: 0,
      subtotal: 0,
      discount: 0,
      tax: 0,
      shipping: 0,
      total: 0,
      ordersCancelled: 0,
      totalCancelled: 0,
      captured: 0,
      refunded: 0,
      ...o,
    });
    const figures = {
      ordersPlaced: 5,
      ordersCancelled: 1,
      unitsOrdered: 2 + 3 + 3 + 4 + 2,
      unitsShipped: 2,
      money: [
        money('EUR', { ordersPlaced: 4, subtotal: 6750, total: 6750 }),
        money('USD', { ordersPlaced: 1, subtotal: 200, total: 200, ordersCancelled: 1, totalCancelled: 200 }),
      ],
    };
    expect(res.body).to.deep.equal({
      from: shift(day, -1),
      to: shift(day, 1),
      days: [
        { day: shift(day, -1), ...zero },
        { day, ...figures },
        { day: shift(day, 1), ...zero },
      ],
      totals: figures,
    });
  });

  it('top SKUs: most units ordered first, with units shipped, limited', async () => {
    const day = placedDays()[0]!;
    const res = await reader.get(`/v1/analytics/top-skus?from=${day}&to=${day}&limit=2`);
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.deep.equal({
      from: day,
      to: day,
      data: [
        { sku: 'A-1', unitsOrdered: 7, ordersPlaced: 3, unitsShipped: 2 },
        { sku: 'A-2', unitsOrdered: 5, ordersPlaced: 2, unitsShipped: 0 },
      ],
    });
    const all = await reader.get(`/v1/analytics/top-skus?from=${day}&to=${day}`);
    expect(all.body.data.map((s: { sku: string }) => s.sku)).to.deep.equal(['A-1', 'A-2', 'A-3']);
    const before = await reader.get(`/v1/analytics/top-skus?from=${shift(day, -3)}&to=${shift(day, -1)}`);
    expect(before.body.data).to.deep.equal([]);
  });

  it('fulfilment: fill rate, time from backordered to confirmed, and the backorders waiting now', async () => {
    const day = placedDays()[0]!;
    const res = await reader.get(`/v1/analytics/fulfilment?from=${day}&to=${day}`);
    expect(res.status, res.text).to.equal(200);
    const toConfirm = (Date.parse(at('OrderConfirmed', ids.o3!)) - Date.parse(at('OrderBackordered', ids.o3!))) / 1000;
    expect(toConfirm).to.be.greaterThan(0);
    const waitingSince = at('OrderBackordered', ids.o5!);
    const { asOf, waitingNow, ...rest } = res.body;
    expect(rest).to.deep.equal({
      from: day,
      to: day,
      orders: { placed: 5, confirmed: 4, confirmedWithoutBackorder: 3, backordered: 2, cancelled: 1, open: 1 },
      fillRate: 3 / 5,
      backorders: {
        count: 2,
        confirmed: 1,
        cancelled: 0,
        waiting: 1,
        secondsToConfirm: { p50: toConfirm, p90: toConfirm, max: toConfirm },
      },
    });
    const age = (Date.parse(asOf) - Date.parse(waitingSince)) / 1000;
    expect(waitingNow.count).to.equal(1);
    expect(waitingNow.oldestBackorderedAt).to.equal(waitingSince);
    // asOf is answered to the millisecond, the database measures in microseconds
    for (const p of ['p50', 'p90', 'max']) expect(waitingNow.ageSeconds[p]).to.be.closeTo(age, 0.001);

    // A range before the orders: nothing placed, nothing to rate; the waiting backorder is still waiting now.
    const before = await reader.get(`/v1/analytics/fulfilment?from=${shift(day, -7)}&to=${shift(day, -1)}`);
    expect(before.body.orders).to.deep.equal({
      placed: 0,
      confirmed: 0,
      confirmedWithoutBackorder: 0,
      backordered: 0,
      cancelled: 0,
      open: 0,
    });
    expect(before.body.fillRate).to.equal(null);
    expect(before.body.backorders.secondsToConfirm).to.deep.equal({ p50: null, p90: null, max: null });
    expect(before.body.waitingNow.count).to.equal(1);
  });

  it("another tenant's figures are its own, and it sees none of these", async () => {
    const other = await app.key(['*']);
    const api = client(app.baseUrl, other.key);
    await adjust(api, 'B-1', 1);
    const o = await placeOrder(api, await newCustomer(api), [{ sku: 'B-1', quantity: 1, unitPrice: 300 }]);
    await orderReaches(api, o.id, ['confirmed']);
    await quiescent(app);
    const top = await api.get('/v1/analytics/top-skus');
    expect(top.body.data).to.deep.equal([{ sku: 'B-1', unitsOrdered: 1, ordersPlaced: 1, unitsShipped: 0 }]);
    const daily = await api.get('/v1/analytics/daily-orders');
    expect(daily.body.totals).to.include({ ordersPlaced: 1, ordersCancelled: 0, unitsOrdered: 1 });
    const f = await api.get('/v1/analytics/fulfilment');
    expect(f.body.orders).to.include({ placed: 1, confirmedWithoutBackorder: 1, backordered: 0 });
    expect(f.body.fillRate).to.equal(1);
    expect(f.body.waitingNow).to.deep.equal({
      count: 0,
      oldestBackorderedAt: null,
      ageSeconds: { p50: null, p90: null, max: null },
    });
    // and the first tenant's answers did not move
    expect((await reader.get('/v1/analytics/top-skus')).body.data.map((s: { sku: string }) => s.sku)).to.deep.equal([
      'A-1',
      'A-2',
      'A-3',
    ]);
    expect((await reader.get('/v1/analytics/daily-orders')).body.totals.ordersPlaced).to.equal(5);
  });

  it('defaults to the 30 days up to today (UTC)', async () => {
    const res = await reader.get('/v1/analytics/daily-orders');
    expect(res.status, res.text).to.equal(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(res.body.days).to.have.length(30);
    expect(res.body.to).to.be.oneOf([today, shift(today, -1)]); // around midnight
    expect(res.body.from).to.equal(shift(res.body.to, -29));
  });

  it('needs analytics:read: 403 for other scopes', async () => {
    const ordersOnly = client(app.baseUrl, (await app.key(['orders:read', 'inventory:read'], tenant)).key);
    for (const path of ['daily-orders', 'top-skus', 'fulfilment']) {
      const res = await ordersOnly.get(`/v1/analytics/${path}`);
      expectProblem(res, 403, 'insufficient_scope');
      expect(res.body.requiredScope).to.equal('analytics:read');
    }
  });

  it('refuses bad dates and ranges with 400 problem+json', async () => {
    const bad: [string, string][] = [
      ['daily-orders?from=2026-02-30&to=2026-03-01', 'query:/from'], // no such day
      ['daily-orders?from=yesterday', 'query:/from'],
      ['daily-orders?to=2026-13-01', 'query:/to'],
      ['daily-orders?from=2026-03-02&to=2026-03-01', 'query:/from'], // from after to
      ['top-skus?from=2024-01-01&to=2025-01-01', 'query:/from'], // 367 days
      ['fulfilment?from=2020-01-01', 'query:/from'], // to defaults to today: years
      ['top-skus?limit=0', 'query:/limit'],
      ['fulfilment?day=2026-01-01', 'query'],
    ];
    for (const [path, where] of bad) {
      const res = await reader.get(`/v1/analytics/${path}`);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors.map((e: { path: string }) => e.path).join(' '), path).to.contain(where);
    }
    // A leap year's 366 days is the longest range
    const leap = await reader.get('/v1/analytics/daily-orders?from=2024-01-01&to=2024-12-31');
    expect(leap.status, leap.text).to.equal(200);
    expect(leap.body.days).to.have.length(366);
  });
});
