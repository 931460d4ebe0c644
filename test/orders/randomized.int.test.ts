import { expect } from 'chai';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import type { PlacedOrder } from '../../domain/orders/state.ts';
import { foldRecorded } from '../../src/commands/load.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, type Res } from '../support/http.ts';
import { address, newCustomer } from '../support/oms.ts';
import { mulberry32 } from '../support/prng.ts';
import { quiescent } from '../support/quiescence.ts';

const SEED = Number(process.env.OMS_TEST_SEED ?? 424242);

describe(`Randomized orders & inventory under concurrency (seed ${SEED})`, function () {
  this.timeout(180_000);
  let app: TestApp;

  before(async () => {
    app = await startTestApp();
  });
  after(async () => app?.stop());

  it('after a few hundred concurrent operations: Σ reserved ≤ onHand everywhere, read models = fold of the streams, orders agree with inventory', async () => {
    const k = await app.key(['*']);
    const api = client(app.baseUrl, k.key);
    const rand = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const skus = ['RND-A', 'RND-B', 'RND-C', 'RND-D'];
    const locations = ['default', 'east', 'west'];
    const customers = await Promise.all([0, 1, 2].map(() => newCustomer(api)));
    const orders: string[] = [];
    for (const sku of skus) await api.post('/v1/inventory/adjustments', { sku, delta: 3, reason: 'received' });

    const statuses: Record<string, number> = {};
    const op = async () => {
      const r = rand();
      let res: Res;
      if (r < 0.4 || orders.length < 5) {
        const lineSkus = [...new Set([pick(skus), pick(skus)])];
        res = await api.post('/v1/orders', {
          customerId: pick(customers),
          currency: 'EUR',
          lines: lineSkus.map((sku) => ({ sku, quantity: 1 + Math.floor(rand() * 3), unitPrice: 250 })),
          shippingAddress: address,
        });
        if (res.status === 201) orders.push(res.body.id);
      } else if (r < 0.5) {
        res = await api.post(`/v1/orders/${pick(orders)}/cancel`, { reason: 'random' });
      } else if (r < 0.6) {
        res = await api.patch(`/v1/orders/${pick(orders)}`, {
          lines: [{ sku: pick(skus), quantity: 1 + Math.floor(rand() * 4), unitPrice: 250 }],
        });
      } else if (r < 0.85) {
        const delta = rand() < 0.7 ? 1 + Math.floor(rand() * 4) : -(1 + Math.floor(rand() * 2));
        res = await api.post('/v1/inventory/adjustments', {
          sku: pick(skus),
          location: pick(locations),
          delta,
          reason: delta > 0 ? 'received' : 'damaged',
        });
      } else {
        res = await api.put(`/v1/inventory/${pick(skus)}/locations/${pick(locations)}`, {
          onHand: Math.floor(rand() * 6),
          reason: 'cycle_count',
        });
      }
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      expect(res.status, res.text).to.be.below(500);
    };
    // 300 operations, 10 at a time.
    for (let i = 0; i < 30; i++) await Promise.all(Array.from({ length: 10 }, op));
    await quiescent(app, 120_000);

    const tenant = k.tenant;
    const store = app.runtime.services.store;
    const heldByOrders = new Map<string, number>();
    for (const id of orders) {
      const events = await store.readStream(`${tenant}:order:${id}`);
      const folded = foldRecorded(orderDecider, events) as PlacedOrder;
      const row = (
        await app.db.pool.query('select state, version from orders where tenant = $1 and id = $2', [tenant, id])
      ).rows[0];
      expect(row.version, `order ${id} version`).to.equal(events.length);
      expect(row.state, `order ${id} read model = fold`).to.deep.equal(JSON.parse(JSON.stringify(folded)));
      if (folded.status === 'cancelled') continue;
      for (const l of folded.lines)
        for (const [loc, n] of Object.entries(l.reserved))
          heldByOrders.set(`${l.sku}@${loc}`, (heldByOrders.get(`${l.sku}@${loc}`) ?? 0) + n);
    }
    for (const sku of skus) {
      for (const location of locations) {
        const events = await store.readStream(`${tenant}:inventory:${sku}@${location}`);
        if (events.length === 0) continue;
        const s = foldRecorded(inventoryDecider, events);
        expect(s.reserved, `${sku}@${location}: reserved ≤ onHand`).to.be.at.most(s.onHand);
        expect(s.reserved).to.be.at.least(0);
        const row = (
          await app.db.pool.query(
            'select on_hand::float8 as on_hand, reserved::float8 as reserved from inventory_levels where tenant = $1 and sku = $2 and location = $3',
            [tenant, sku, location],
          )
        ).rows[0];
        expect(row, `${sku}@${location} level row`).to.deep.equal({ on_hand: s.onHand, reserved: s.reserved });
        expect(s.reserved, `${sku}@${location}: what orders think they hold = what inventory holds`).to.equal(
          heldByOrders.get(`${sku}@${location}`) ?? 0,
        );
        // Ledger: one movement row per level event, and the last one carries the current level.
        const ledger = await app.db.pool.query(
          'select count(*)::int as n from inventory_movements where tenant = $1 and sku = $2 and location = $3',
          [tenant, sku, location],
        );
        expect(ledger.rows[0].n).to.equal(events.filter((e) => !e.type.startsWith('Backorder')).length);
      }
    }
    expect(statuses[201] ?? 0).to.be.greaterThan(50);
  });
});
