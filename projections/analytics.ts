import type { Knex } from 'knex';
import { idOfStream, type RecordedEvent } from '../src/eventstore/port.ts';
import type { Projection } from '../src/projector/projection.ts';
import { carriersOf, OrderMilestones } from './analytics-milestones.ts';

// analytics.*: tables for BI tools. Counters are added up in memory per batch and written with
// additive upserts (the checkpoint moves in the same transaction, so nothing is counted twice).
// Sums are exact: added up as BigInt (a batch may hold thousands of events, a replay page 20,000)
// into numeric columns, so a live projection (many small batches) and a replay (few large ones)
// end up with the same values.

const day = (iso: string) => iso.slice(0, 10);

type Row = Record<string, string | number | bigint | null>;

/** Accumulates additive counters per key, then upserts them adding to what is stored. */
class Counters {
  private readonly rows = new Map<string, Row>();
  private readonly table: string;
  private readonly keys: string[];
  private readonly sums: string[];

  constructor(table: string, keys: string[], sums: string[]) {
    this.table = table;
    this.keys = keys;
    this.sums = sums;
  }

  add(key: Row, sums: Record<string, number | bigint>): void {
    const k = this.keys.map((c) => key[c]).join('\u0000');
    const row = this.rows.get(k) ?? { ...key, ...Object.fromEntries(this.sums.map((s) => [s, 0n])) };
    for (const [s, n] of Object.entries(sums)) row[s] = (row[s] as bigint) + BigInt(n);
    this.rows.set(k, row);
  }

  async flush(trx: Knex.Transaction): Promise<void> {
    if (this.rows.size === 0) return;
    const merge = Object.fromEntries(this.sums.map((s) => [s, trx.raw('??.?? + excluded.??', [this.table, s, s])]));
    await trx(this.table)
      .insert([...this.rows.values()].map(asColumns))
      .onConflict(this.keys)
      .merge(merge);
  }
}

/** BigInt sums go to Postgres as their exact decimal text. */
const asColumns = (row: Row) =>
  Object.fromEntries(Object.entries(row).map(([c, v]) => [c, typeof v === 'bigint' ? v.toString() : v]));

/** An order's subtotal, exact (the domain keeps it ≤ 2^53 − 1; BigInt keeps older, larger events exact too). */
const subtotalOf = (lines: { quantity: number; unitPrice: number }[]) =>
  lines.reduce((n, l) => n + BigInt(l.quantity) * BigInt(l.unitPrice), 0n);

/** An OrderPlaced's money, exact: absent discount, tax and shipping (older events) are 0. */
function moneyOf(d: {
  lines: { quantity: number; unitPrice: number; discount?: number; tax?: number }[];
  shipping?: { amount: number };
}) {
  const subtotal = subtotalOf(d.lines);
  const discount = d.lines.reduce((n, l) => n + BigInt(l.discount ?? 0), 0n);
  const tax = d.lines.reduce((n, l) => n + BigInt(l.tax ?? 0), 0n);
  const shipping = BigInt(d.shipping?.amount ?? 0);
  return { subtotal, discount, tax, shipping, total: subtotal - discount + tax + shipping };
}

export const analyticsProjection: Projection = {
  name: 'analytics',
  schema: 'analytics',
  handles: [
    'OrderPlaced',
    'OrderConfirmed',
    'OrderBackordered',
    'OrderCancelled',
    'OrderShipmentRecorded',
    'OrderDelivered',
    'OrderPaymentRecorded',
    'RefundRecorded',
    'StockAdjusted',
    'StockCounted',
    'StockShipped',
    'ShipmentCreated',
    'ShipmentStatusChanged',
    'ShipmentTrackingEventRecorded',
  ],
  tables: [
    'daily_orders',
    'sku_daily_units',
    'order_fulfillment',
    'backorders',
    'inventory_movements_daily',
    'shipment_exceptions',
    'shipment_carriers',
  ],

  async apply(trx, events: readonly RecordedEvent[]) {
    const daily = new Counters(
      'daily_orders',
      ['tenant', 'day', 'currency'],
      [
        'orders_placed',
        'revenue_placed',
        'discount_placed',
        'tax_placed',
        'shipping_placed',
        'total_placed',
        'orders_cancelled',
        'revenue_cancelled',
        'total_cancelled',
        'captured',
        'refunded',
      ],
    );
    const units = new Counters(
      'sku_daily_units',
      ['tenant', 'sku', 'day'],
      ['units_ordered', 'units_shipped', 'orders_placed'],
    );
    const moves = new Counters(
      'inventory_movements_daily',
      ['tenant', 'sku', 'location', 'day', 'reason'],
      ['movements', 'on_hand_delta'],
    );
    const exceptions = new Counters('shipment_exceptions', ['tenant', 'carrier', 'day'], ['exceptions']);
    const milestones = new OrderMilestones();
    const carriers = new Map<string, string>(); // tenant + shipment id → carrier, placed in this batch
    // Row changes are folded per order in memory and written in a few multi-row statements at the
    // end: the batch's transaction holds back every log reader of the cluster (see the event
    // store's visibility rule) for as long as it runs, so it must not make a round trip per event.
    const cancelled: { tenant: string; orderId: string; day: string }[] = [];
    const money: { tenant: string; orderId: string; day: string; sums: Record<string, number> }[] = [];
    const exceptionEvents: { tenant: string; shipmentId: string; day: string; carrier?: string }[] = [];
    for (const e of events) {
      const tenant = e.metadata.tenant;
      // biome-ignore lint/suspicious/noExplicitAny: one switch reads the data of many event types
      const d = e.data as Record<string, any>;
      switch (e.type) {
        case 'OrderPlaced': {
          const m = moneyOf(d as Parameters<typeof moneyOf>[0]);
          const subtotal = m.subtotal;
          daily.add(
            { tenant, day: day(d.placedAt), currency: d.currency },
            {
              orders_placed: 1,
              revenue_placed: subtotal,
              discount_placed: m.discount,
              tax_placed: m.tax,
              shipping_placed: m.shipping,
              total_placed: m.total,
            },
          );
          const skus = new Set<string>();
          for (const l of d.lines as { sku: string; quantity: number }[]) {
            // one order of the SKU even on two lines (the domain refuses that now; events may be older)
            const first = !skus.has(l.sku);
            skus.add(l.sku);
            units.add(
              { tenant, sku: l.sku, day: day(d.placedAt) },
              { units_ordered: l.quantity, orders_placed: first ? 1 : 0 },
            );
          }
          milestones.placed(tenant, d.orderId, {
            currency: d.currency,
            subtotal,
            total: m.total,
            placedAt: d.placedAt,
          });
          break;
        }
        case 'OrderConfirmed':
          milestones.confirmed(tenant, idOfStream(e.streamName), d.occurredAt);
          break;
        case 'OrderBackordered':
          milestones.backordered(tenant, idOfStream(e.streamName), d.occurredAt);
          break;
        case 'OrderCancelled':
          cancelled.push({ tenant, orderId: idOfStream(e.streamName), day: day(d.cancelledAt) });
          milestones.cancelled(tenant, idOfStream(e.streamName), d.cancelledAt);
          break;
        case 'OrderShipmentRecorded':
          milestones.shipped(tenant, idOfStream(e.streamName), d.occurredAt);
          break;
        case 'OrderDelivered':
          milestones.delivered(tenant, idOfStream(e.streamName), d.occurredAt);
          break;
        case 'OrderPaymentRecorded':
        case 'RefundRecorded':
          // Only captures are money received; authorizations and voids move nothing.
          if (e.type === 'OrderPaymentRecorded' && d.type !== 'captured') break;
          money.push({
            tenant,
            orderId: idOfStream(e.streamName),
            day: day(d.recordedAt),
            sums: e.type === 'RefundRecorded' ? { refunded: d.amount } : { captured: d.amount },
          });
          break;
        case 'StockAdjusted':
        case 'StockCounted':
          moves.add(
            { tenant, sku: d.sku, location: d.location, day: day(d.occurredAt), reason: d.reason },
            { movements: 1, on_hand_delta: d.onHandDelta },
          );
          break;
        case 'StockShipped':
          moves.add(
            { tenant, sku: d.sku, location: d.location, day: day(d.occurredAt), reason: 'shipment' },
            { movements: 1, on_hand_delta: d.onHandDelta },
          );
          units.add({ tenant, sku: d.sku, day: day(d.occurredAt) }, { units_shipped: d.quantity });
          break;
        case 'ShipmentCreated': {
          const key = `${tenant}\u0000${d.shipmentId}`;
          // insert … on conflict do nothing: the first carrier recorded for a shipment stays
          if (!carriers.has(key)) carriers.set(key, d.carrier);
          break;
        }
        case 'ShipmentStatusChanged':
        case 'ShipmentTrackingEventRecorded':
          if (d.status === 'exception') {
            const carrier = carriers.get(`${tenant}\u0000${d.shipmentId}`); // as known at this event
            exceptionEvents.push({
              tenant,
              shipmentId: d.shipmentId,
              day: day(d.occurredAt),
              ...(carrier ? { carrier } : {}),
            });
          }
          break;
      }
    }
    // Cancellations, captures and refunds count in the order's currency (a cancellation its subtotal
    // and total too): from this batch, else as stored.
    const facts = await milestones.facts(trx, [...cancelled, ...money]);
    for (const c of cancelled) {
      const f = facts.get(`${c.tenant}\u0000${c.orderId}`);
      if (f)
        daily.add(
          { tenant: c.tenant, day: c.day, currency: f.currency },
          {
            orders_cancelled: 1,
            revenue_cancelled: BigInt(f.subtotal),
            total_cancelled: BigInt(f.total ?? f.subtotal),
          },
        );
    }
    for (const x of money) {
      const f = facts.get(`${x.tenant}\u0000${x.orderId}`);
      if (f) daily.add({ tenant: x.tenant, day: x.day, currency: f.currency }, x.sums);
    }
    const storedCarriers = await carriersOf(trx, exceptionEvents);
    for (const x of exceptionEvents) {
      // A stored row wins: this batch's insert of the same shipment is ignored.
      const carrier = storedCarriers.get(`${x.tenant}\u0000${x.shipmentId}`) ?? x.carrier ?? 'unknown';
      exceptions.add({ tenant: x.tenant, carrier, day: x.day }, { exceptions: 1 });
    }
    if (carriers.size > 0)
      await trx('shipment_carriers')
        .insert(
          [...carriers].map(([key, carrier]) => {
            const [tenant, shipment_id] = key.split('\u0000');
            return { tenant, shipment_id, carrier };
          }),
        )
        .onConflict(['tenant', 'shipment_id'])
        .ignore();
    await milestones.flush(trx);
    for (const c of [daily, units, moves, exceptions]) await c.flush(trx);
  },
};
