import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { InventoryEvent } from '../../domain/inventory/events.ts';
import type { OrderEvent } from '../../domain/orders/events.ts';
import type { NewEvent } from '../../src/eventstore/port.ts';
import { rebuildProjection, verifyProjection } from '../../src/projector/rebuild.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { quiescent } from '../support/quiescence.ts';

const EVENTS = Number(process.env.OMS_REBUILD_TEST_EVENTS ?? 100_000);
const ordersCount = Math.floor((EVENTS * 0.8) / 10);

describe(`Projection rebuild and verify over ${EVENTS} events`, function () {
  this.timeout(600_000);
  let app: TestApp;

  before(async () => {
    // Projector only: this test writes its events straight to the store (no side-effect jobs).
    app = await startTestApp({ roles: ['projector'] });
    const tenant = 'rebuild';
    const meta = { tenant, actor: 'test', correlationId: 'rebuild-test', causationId: null };
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    const ev = (e: OrderEvent | InventoryEvent): NewEvent => ({
      id: randomUUID(),
      type: e.type,
      data: e.data,
      metadata: meta,
    });
    const address = { line1: '1 Main St', city: 'Berlin', country: 'DE' };
    const jobs: (() => Promise<unknown>)[] = [];
    for (let o = 0; o < ordersCount; o++) {
      const orderId = `ord_${String(o).padStart(26, '0')}`;
      const sku = `SKU-${o % 50}`;
      const events: NewEvent[] = [
        ev({
          type: 'OrderPlaced',
          data: {
            orderId,
            customerId: 'cus_x',
            currency: 'EUR',
            lines: [{ sku, quantity: 2, unitPrice: 500 }],
            shippingAddress: address,
            externalId: null,
            notes: null,
            placedAt: at(o),
          },
        }),
      ];
      for (let k = 0; k < 8; k++) {
        events.push(
          ev({ type: 'OrderUpdated', data: { changes: { notes: `note ${k}` }, releases: [], updatedAt: at(o + k) } }),
        );
      }
      events.push(ev({ type: 'OrderCancelled', data: { reason: 'test', releases: [], cancelledAt: at(o + 9) } }));
      jobs.push(() => app.runtime.services.store.appendToStream(`${tenant}:order:${orderId}`, events));
    }
    const inventoryEvents = EVENTS - ordersCount * 10;
    for (let s = 0; s < 100; s++) {
      const sku = `SKU-${s}`;
      const n = Math.floor(inventoryEvents / 100);
      const events = Array.from({ length: n }, (_, i) =>
        ev({
          type: 'StockAdjusted',
          data: {
            sku,
            location: 'default',
            occurredAt: at(i),
            delta: 1,
            reason: 'received',
            reference: null,
            onHandDelta: 1,
            reservedDelta: 0,
            onHand: i + 1,
            reserved: 0,
          },
        }),
      );
      for (let i = 0; i < events.length; i += 500) {
        const chunk = events.slice(i, i + 500);
        jobs.push(() => app.runtime.services.store.appendToStream(`${tenant}:inventory:${sku}@default`, chunk));
      }
    }
    // Inventory chunks of one SKU must stay in order: run per-stream jobs sequentially, streams in parallel.
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < jobs.length) await jobs[next++]!();
      }),
    );
    await quiescent(app, 300_000, { jobs: false });
  });
  after(async () => app?.stop());

  const projection = (name: string) => app.runtime.projections.find((p) => p.name === name)!;
  const checksum = async (table: string) =>
    (
      await app.db.pool.query(
        `select md5(string_agg(md5(x::text), '' order by md5(x::text))) as h, count(*)::int as n from ${table} x`,
      )
    ).rows[0];

  it('verify finds the live read models identical to a replay', async () => {
    // A replay reads only its projection's event types.
    const own = { orders: ordersCount * 10, inventory: EVENTS - ordersCount * 10 };
    for (const name of ['orders', 'inventory'] as const) {
      const r = await verifyProjection({
        knex: app.runtime.services.knex,
        store: app.runtime.services.store,
        projection: projection(name),
      });
      expect(r.differences, name).to.deep.equal([]);
      expect(r.events, name)
        .to.be.at.least(own[name] - 100)
        .and.at.most(own[name]);
    }
  });

  it('a rebuild of every event swaps in tables with the same checksums, and reports its rate', async () => {
    const before = {
      orders: await checksum('orders'),
      levels: await checksum('inventory_levels'),
      movements: await checksum('inventory_movements'),
    };
    let lastRate = 0;
    const r = await rebuildProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: projection('orders'),
      onProgress: (p) => (lastRate = p.eventsPerSecond),
    });
    await rebuildProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: projection('inventory'),
    });
    expect(r.events).to.equal(ordersCount * 10);
    expect(lastRate).to.be.greaterThan(0);
    console.log(
      `      rebuilt orders from ${r.events} events in ${r.seconds.toFixed(1)} s (${Math.round(r.events / r.seconds)} events/s)`,
    );
    expect(await checksum('orders')).to.deep.equal(before.orders);
    expect(await checksum('inventory_levels')).to.deep.equal(before.levels);
    expect(await checksum('inventory_movements')).to.deep.equal(before.movements);
    expect(before.orders.n).to.be.greaterThan(0);
    // the swapped-in table still serves the list index
    const plan = await app.db.pool.query(
      `explain select id from orders where tenant = 'rebuild' order by created_at desc, id desc limit 50`,
    );
    expect(JSON.stringify(plan.rows)).to.match(/Index/);
  });

  it('verify catches a deliberately corrupted row', async () => {
    await app.db.pool.query(
      `update orders set status = 'confirmed' where id = (select id from orders order by id limit 1)`,
    );
    const r = await verifyProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: projection('orders'),
    });
    expect(r.differences).to.have.length(1);
    expect(r.differences[0]).to.include({ table: 'orders', onlyLive: 1, onlyRebuilt: 1 });
  });
});
