// The analytics projection folds each batch in memory and writes a few multi-row statements (its
// transaction holds every log reader back while it runs). Property: however the log is cut into
// batches, the tables end up as when every event is applied on its own.
import { expect } from 'chai';
import fc from 'fast-check';
import { analyticsProjection } from '../../projections/analytics.ts';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const TENANT = 't1';
const ORDERS = ['o1', 'o2', 'o3'];
const SHIPMENTS = ['s1', 's2'];

type Step =
  | { kind: 'placed' | 'confirmed' | 'backordered' | 'cancelled' | 'shipped' | 'delivered'; order: string; day: number }
  | { kind: 'shipmentCreated'; shipment: string; carrier: string; day: number }
  | { kind: 'exception'; shipment: string; day: number }
  | { kind: 'stock'; sku: string; delta: number; day: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom('placed', 'confirmed', 'backordered', 'cancelled', 'shipped', 'delivered' as const),
      order: fc.constantFrom(...ORDERS),
      day: fc.integer({ min: 1, max: 3 }),
    }),
  },
  fc.record({
    kind: fc.constant('shipmentCreated' as const),
    shipment: fc.constantFrom(...SHIPMENTS),
    carrier: fc.constantFrom('ups', 'dhl'),
    day: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('exception' as const),
    shipment: fc.constantFrom(...SHIPMENTS),
    day: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('stock' as const),
    sku: fc.constantFrom('A', 'B'),
    delta: fc.integer({ min: -5, max: 5 }),
    day: fc.integer({ min: 1, max: 3 }),
  }),
);

/**
 * Recorded events for the steps, in an order a log can hold: a stream begins with its first event
 * (an order's OrderPlaced, a shipment's ShipmentCreated), which appears once. The seconds count up
 * so every timestamp differs.
 */
function eventsOf(all: readonly Step[]): RecordedEvent[] {
  const begun = new Set<string>();
  const steps = all.filter((s) => {
    if (s.kind === 'stock') return true;
    const stream = 'order' in s ? s.order : s.shipment;
    const first = s.kind === 'placed' || s.kind === 'shipmentCreated';
    if (first === begun.has(stream)) return false;
    begun.add(stream);
    return true;
  });
  return steps.map((s, i) => {
    const at = `2026-12-0${s.day}T10:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`;
    const base = (type: string, streamName: string, data: Record<string, unknown>): RecordedEvent => ({
      id: `e${i}`,
      type,
      streamName,
      revision: i,
      position: { commit: BigInt(i + 1), prepare: BigInt(i + 1) },
      data,
      metadata: { tenant: TENANT } as RecordedEvent['metadata'],
      createdAt: new Date(at),
    });
    switch (s.kind) {
      case 'placed':
        return base('OrderPlaced', `${TENANT}:order:${s.order}`, {
          orderId: s.order,
          currency: s.order === 'o3' ? 'USD' : 'EUR',
          placedAt: at,
          lines: [{ sku: 'A', quantity: 2, unitPrice: 150 }],
        });
      case 'confirmed':
        return base('OrderConfirmed', `${TENANT}:order:${s.order}`, { occurredAt: at });
      case 'backordered':
        return base('OrderBackordered', `${TENANT}:order:${s.order}`, { occurredAt: at });
      case 'cancelled':
        return base('OrderCancelled', `${TENANT}:order:${s.order}`, { cancelledAt: at });
      case 'shipped':
        return base('OrderShipmentRecorded', `${TENANT}:order:${s.order}`, { occurredAt: at });
      case 'delivered':
        return base('OrderDelivered', `${TENANT}:order:${s.order}`, { occurredAt: at });
      case 'shipmentCreated':
        return base('ShipmentCreated', `${TENANT}:shipment:${s.shipment}`, {
          shipmentId: s.shipment,
          carrier: s.carrier,
        });
      case 'exception':
        return base('ShipmentStatusChanged', `${TENANT}:shipment:${s.shipment}`, {
          shipmentId: s.shipment,
          status: 'exception',
          occurredAt: at,
        });
      case 'stock':
        return base('StockAdjusted', `${TENANT}:inventory:${s.sku}`, {
          sku: s.sku,
          location: 'default',
          reason: 'received',
          onHandDelta: s.delta,
          occurredAt: at,
        });
      default:
        throw new Error(`no event for ${JSON.stringify(s satisfies never)}`);
    }
  });
}

describe('Analytics projection: any cut of the log into batches gives the same tables', function () {
  this.timeout(300_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  async function applyInBatches(events: RecordedEvent[], cuts: readonly number[]): Promise<Record<string, unknown[]>> {
    await db.knex.raw(`truncate ${analyticsProjection.tables.map((t) => `analytics.${t}`).join(', ')}`);
    let from = 0;
    for (const to of [...new Set(cuts)].sort((a, b) => a - b).concat(events.length)) {
      if (to <= from) continue;
      await db.knex.transaction(async (trx) => {
        await trx.raw('set local search_path to analytics, public');
        await analyticsProjection.apply(trx, events.slice(from, to));
      });
      from = to;
    }
    const tables: Record<string, unknown[]> = {};
    for (const t of analyticsProjection.tables)
      tables[t] = (await db.knex.raw(`select * from analytics.${t}`)).rows
        .map((r: unknown) => JSON.stringify(r))
        .sort();
    return tables;
  }

  it('one event per batch = random batches = one batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 40, size: 'max' }),
        fc.array(fc.nat({ max: 40 }), { maxLength: 6, size: 'max' }),
        async (steps, cuts) => {
          const events = eventsOf(steps);
          const one = await applyInBatches(
            events,
            events.map((_, i) => i),
          );
          expect(await applyInBatches(events, cuts)).to.deep.equal(one);
          expect(await applyInBatches(events, [])).to.deep.equal(one);
        },
      ),
      { numRuns: 40 },
    );
  });
});
