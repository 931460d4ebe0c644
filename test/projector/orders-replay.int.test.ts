import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { OrderEvent } from '../../domain/orders/events.ts';
import type { NewEvent } from '../../src/eventstore/port.ts';
import type { Projection } from '../../src/projector/projection.ts';
import { rebuildProjection, verifyProjection } from '../../src/projector/rebuild.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { quiescent } from '../support/quiescence.ts';

// The rebuild's fast path (Projection.replay: rows held in memory across pages, written in bulk,
// let go and read back) must end with the rows the live, incremental path wrote from the same log,
// forgotten customers included, and a rebuild that fails half way must leave the live model alone.

const TENANT = 'replay';
const ORDERS = 40;
const meta = { tenant: TENANT, actor: 'test', correlationId: 'replay-test', causationId: null };
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
const ev = (e: OrderEvent | { type: 'CustomerForgotten'; data: { customerId: string; forgottenAt: string } }) =>
  ({ id: randomUUID(), type: e.type, data: e.data, metadata: meta }) as NewEvent;
const customer = (c: number) => `cus_${String(c).padStart(26, '0')}`;
const orderStream = (o: number) => `${TENANT}:order:ord_${String(o).padStart(26, '0')}`;

describe('Orders rebuild fast path (replay) against the incremental projection', function () {
  this.timeout(300_000);
  let app: TestApp;
  let placed = 0;

  const orders = () => app.runtime.projections.find((p) => p.name === 'orders')!;
  const snapshot = async () =>
    (await app.db.pool.query(`select * from orders where tenant = $1 order by id`, [TENANT])).rows.map((r) =>
      JSON.stringify(r),
    );

  before(async () => {
    app = await startTestApp({ roles: ['projector'] });
    const store = app.runtime.services.store;
    // Interleaved: each order's events are spread over the log, so a replay holds them across pages.
    const steps: [number, string, NewEvent][] = [];
    for (let o = 0; o < ORDERS; o++) {
      const cid = customer(o % 5);
      const sku = `SKU-${o % 3}`;
      const stream = orderStream(o);
      steps.push([
        o,
        stream,
        ev({
          type: 'OrderPlaced',
          data: {
            orderId: `ord_${String(o).padStart(26, '0')}`,
            customerId: cid,
            currency: 'EUR',
            lines: [
              { sku, quantity: 2, unitPrice: 500 },
              { sku: 'SKU-X', quantity: 1, unitPrice: 100 },
            ],
            shippingAddress: { line1: `${o} Main St`, city: 'Berlin', country: 'DE' },
            externalId: null,
            notes: o % 2 ? `ring twice ${o}` : null,
            placedAt: at(o),
          },
        }),
      ]);
      steps.push([
        o + 3,
        stream,
        ev({
          type: 'OrderAllocationRecorded',
          data: {
            allocations: [
              { sku, location: 'default', reserved: 2 },
              { sku: 'SKU-X', location: 'default', reserved: 1 },
            ],
            occurredAt: at(o + 3),
          },
        }),
      ]);
      steps.push([o + 4, stream, ev({ type: 'OrderConfirmed', data: { occurredAt: at(o + 4) } })]);
      if (o % 4 === 0)
        steps.push([
          o + 6,
          stream,
          ev({ type: 'OrderUpdated', data: { changes: { notes: `call ${o}` }, releases: [], updatedAt: at(o + 6) } }),
        ]);
      if (o % 7 === 3)
        steps.push([
          o + 9,
          stream,
          ev({ type: 'OrderCancelled', data: { reason: 'x', releases: [], cancelledAt: at(o + 9) } }),
        ]);
      else {
        steps.push([
          o + 11,
          stream,
          ev({
            type: 'OrderShipmentRecorded',
            data: {
              shipmentId: `shp_${o}`,
              location: 'default',
              lines: [
                { sku, quantity: 2 },
                { sku: 'SKU-X', quantity: 1 },
              ],
              occurredAt: at(o + 11),
            },
          }),
        ]);
        steps.push([
          o + 15,
          stream,
          ev({ type: 'OrderShipmentDelivered', data: { shipmentId: `shp_${o}`, occurredAt: at(o + 15) } }),
        ]);
      }
    }
    steps.sort((a, b) => a[0] - b[0]);
    // Customer 1 is forgotten half way: orders placed before read back redacted, later events still come.
    const forgetAt = Math.floor(steps.length / 2);
    let forgotten = false;
    for (const [i, [, stream, e]] of steps.entries()) {
      // The store refuses to seal for a forgotten customer (as the API would refuse the order or
      // change); the later events of an order never placed fold to no row, on both paths.
      const ofCustomer1 = Number(stream.slice(-26)) % 5 === 1;
      if (forgotten && ofCustomer1 && (e.type === 'OrderUpdated' || e.type === 'OrderPlaced')) continue;
      if (e.type === 'OrderPlaced') placed++;
      if (i === forgetAt) {
        forgotten = true;
        await app.runtime.services.piiKeys.destroy(TENANT, customer(1));
        await store.appendToStream(
          `${TENANT}:customer:${customer(1)}`,
          [ev({ type: 'CustomerForgotten', data: { customerId: customer(1), forgottenAt: at(100) } })],
          { expectedRevision: 'any' },
        );
      }
      await store.appendToStream(stream, [e]);
    }
    // Notes stored in plain text (before notes were sealed) for an order of customer 2, forgotten last:
    // decryption leaves them as they are, only the projection's own redaction catches them.
    await app.db.pool.query(`select es_append($1, 'any', null, $2::jsonb)`, [
      orderStream(2),
      JSON.stringify([
        ev({ type: 'OrderUpdated', data: { changes: { notes: 'plain old note' }, releases: [], updatedAt: at(200) } }),
      ]),
    ]);
    await app.runtime.services.piiKeys.destroy(TENANT, customer(2));
    await store.appendToStream(`${TENANT}:customer:${customer(2)}`, [
      ev({ type: 'CustomerForgotten', data: { customerId: customer(2), forgottenAt: at(201) } }),
    ]);
    await quiescent(app, 120_000, { jobs: false });
  });
  after(async () => app?.stop());

  it('the log is the mix it claims: redacted and plain orders, several statuses', async () => {
    const rows = (
      await app.db.pool.query(
        `select status, state->'shippingAddress'->>'line1' as line1, state->>'notes' as notes, customer_id from orders where tenant = $1`,
        [TENANT],
      )
    ).rows as { status: string; line1: string; notes: string | null; customer_id: string }[];
    expect(rows).to.have.length(placed);
    expect(placed).to.be.lessThan(ORDERS);
    expect([...new Set(rows.map((r) => r.status))]).to.include.members(['cancelled', 'delivered']);
    const forgotten = rows.filter((r) => r.customer_id === customer(1) || r.customer_id === customer(2));
    expect(forgotten.every((r) => r.line1 !== undefined && !/Main St/.test(r.line1))).to.equal(true);
    expect(forgotten.some((r) => r.notes === '[redacted]')).to.equal(true);
    // the plain-text note, which decryption cannot redact, was redacted by the projection
    expect(rows.map((r) => r.notes)).not.to.include('plain old note');
    expect(rows.some((r) => /Main St/.test(r.line1))).to.equal(true);
  });

  it('a replay that holds few rows, writes tiny statements and reads small pages rebuilds the same rows', async () => {
    const live = await snapshot();
    // verify compares the replay with the live (incremental) tables...
    const v = await verifyProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: orders(),
      batchSize: 7,
      replayLimits: { heldRows: 3, rowsPerStatement: 2 },
    });
    expect(v.differences).to.deep.equal([]);
    // ...and a rebuild swaps them in: row for row what the live projection had.
    const r = await rebuildProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: orders(),
      batchSize: 11,
      replayLimits: { heldRows: 5, rowsPerStatement: 3 },
    });
    expect(r.events).to.be.greaterThan(ORDERS * 4);
    expect(await snapshot()).to.deep.equal(live);
  });

  it('the default limits (everything held until the end) rebuild the same rows', async () => {
    const live = await snapshot();
    await rebuildProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: orders(),
    });
    expect(await snapshot()).to.deep.equal(live);
  });

  it('a rebuild fills skus (GET /v1/orders?sku=) from the lines, distinct and sorted', async () => {
    await rebuildProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: orders(),
    });
    const rows = (
      await app.db.pool.query(
        `select skus, (select array_agg(l->>'sku' order by l->>'sku' collate "C") from jsonb_array_elements(state->'lines') l) as lines
           from orders where tenant = $1`,
        [TENANT],
      )
    ).rows as { skus: string[]; lines: string[] }[];
    expect(rows).to.have.length(placed);
    for (const r of rows) expect(r.skus).to.deep.equal(r.lines).and.include('SKU-X');
    // The swapped-in table has the list's index on the tenant-qualified SKUs again.
    const indexes = await app.db.pool.query(
      `select indexdef from pg_indexes where schemaname = 'public' and tablename = 'orders' and indexdef like '%gin (orders_sku_keys(tenant, skus))%'`,
    );
    expect(indexes.rows).to.have.length(1);
    const listed = await app.db.pool.query(
      `select count(*)::int as n from orders where tenant = $1 and orders_sku_keys(tenant, skus) @> array[$1 || '/SKU-1']`,
      [TENANT],
    );
    expect(listed.rows[0].n)
      .to.equal(rows.filter((r) => r.skus.includes('SKU-1')).length)
      .and.be.greaterThan(0);
  });

  it("the migration's backfill of skus gives the rows the projection wrote", async () => {
    const live = await snapshot();
    const knex = app.runtime.services.knex;
    await knex.migrate.down({ name: '20261204000100_orders_skus.ts' });
    expect((await app.db.pool.query(`select * from orders limit 1`)).rows[0]).to.not.have.property('skus');
    await knex.migrate.up({ name: '20261204000100_orders_skus.ts' });
    expect(await snapshot()).to.deep.equal(live);
  });

  it('a rebuild that fails half way leaves the live rows and no shadow behind, and the next one succeeds', async () => {
    const live = await snapshot();
    let pages = 0;
    const failing: Projection = {
      ...orders(),
      replay(limits) {
        const inner = orders().replay!(limits);
        return {
          async apply(trx, events) {
            if (++pages === 3) throw new Error('crash mid-rebuild');
            await inner.apply(trx, events);
          },
          flush: (trx) => inner.flush(trx),
          drain: () => inner.drain(),
        };
      },
    };
    let error: unknown = null;
    await rebuildProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: failing,
      batchSize: 10,
      replayLimits: { heldRows: 2, rowsPerStatement: 2 },
    }).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/crash mid-rebuild/);
    expect(await snapshot()).to.deep.equal(live);
    const schemas = await app.db.pool.query(`select 1 from pg_namespace where nspname like 'rebuild\\_%'`);
    expect(schemas.rowCount).to.equal(0);
    await rebuildProjection({
      knex: app.runtime.services.knex,
      store: app.runtime.services.store,
      projection: orders(),
      batchSize: 10,
    });
    expect(await snapshot()).to.deep.equal(live);
  });

  it('a write the replay left in flight that fails fails the rebuild (not a silently rolled-back commit)', async () => {
    const live = await snapshot();
    // Copied to the shadow table (like … including all); not valid: the live rows are not checked.
    const victim = orderStream(ORDERS - 1).split(':')[2]!;
    await app.db.pool.query(`alter table orders add constraint replay_write_fails check (id <> '${victim}') not valid`);
    try {
      let error: unknown = null;
      await rebuildProjection({
        knex: app.runtime.services.knex,
        store: app.runtime.services.store,
        projection: orders(),
        batchSize: 10,
        replayLimits: { heldRows: 2, rowsPerStatement: 2 },
      }).catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/replay_write_fails/);
      expect(await snapshot()).to.deep.equal(live);
    } finally {
      await app.db.pool.query(`alter table orders drop constraint replay_write_fails`);
    }
  });
});
