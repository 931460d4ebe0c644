import type { Knex } from 'knex';
import { idOfStream, type RecordedEvent } from '../src/eventstore/port.ts';
import type { Projection } from '../src/projector/projection.ts';

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
    const units = new Counters('sku_daily_units', ['tenant', 'sku', 'day'], ['units_ordered', 'units_shipped']);
    const moves = new Counters(
      'inventory_movements_daily',
      ['tenant', 'sku', 'location', 'day', 'reason'],
      ['movements', 'on_hand_delta'],
    );
    const exceptions = new Counters('shipment_exceptions', ['tenant', 'carrier', 'day'], ['exceptions']);
    // Row-at-a-time changes run in event order; the counters are written at the end of the batch.
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
          for (const l of d.lines as { sku: string; quantity: number }[])
            units.add({ tenant, sku: l.sku, day: day(d.placedAt) }, { units_ordered: l.quantity });
          await trx('order_fulfillment')
            .insert({
              tenant,
              order_id: d.orderId,
              currency: d.currency,
              subtotal: subtotal.toString(),
              total: m.total.toString(),
              placed_at: d.placedAt,
            })
            .onConflict(['tenant', 'order_id'])
            .ignore();
          break;
        }
        case 'OrderConfirmed': {
          const id = idOfStream(e.streamName);
          await trx('order_fulfillment')
            .where({ tenant, order_id: id })
            .whereNull('confirmed_at')
            .update({ confirmed_at: d.occurredAt });
          await trx('backorders')
            .where({ tenant, order_id: id })
            .whereNull('resolved_at')
            .update({ resolved_at: d.occurredAt, resolution: 'confirmed' });
          break;
        }
        case 'OrderBackordered':
          await trx('backorders')
            .insert({ tenant, order_id: idOfStream(e.streamName), backordered_at: d.occurredAt })
            .onConflict(['tenant', 'order_id'])
            .ignore();
          break;
        case 'OrderCancelled': {
          const id = idOfStream(e.streamName);
          const facts = (await trx('order_fulfillment').where({ tenant, order_id: id }).first()) as
            | { currency: string; subtotal: string; total: string | null }
            | undefined;
          if (facts)
            daily.add(
              { tenant, day: day(d.cancelledAt), currency: facts.currency },
              {
                orders_cancelled: 1,
                revenue_cancelled: BigInt(facts.subtotal),
                total_cancelled: BigInt(facts.total ?? facts.subtotal),
              },
            );
          await trx('order_fulfillment').where({ tenant, order_id: id }).update({ cancelled_at: d.cancelledAt });
          await trx('backorders')
            .where({ tenant, order_id: id })
            .whereNull('resolved_at')
            .update({ resolved_at: d.cancelledAt, resolution: 'cancelled' });
          break;
        }
        case 'OrderShipmentRecorded':
          await trx('order_fulfillment')
            .where({ tenant, order_id: idOfStream(e.streamName) })
            .whereNull('first_shipped_at')
            .update({ first_shipped_at: d.occurredAt });
          break;
        case 'OrderDelivered':
          await trx('order_fulfillment')
            .where({ tenant, order_id: idOfStream(e.streamName) })
            .update({ delivered_at: d.occurredAt });
          break;
        case 'OrderPaymentRecorded':
        case 'RefundRecorded': {
          // Only captures are money received; authorizations and voids move nothing.
          if (e.type === 'OrderPaymentRecorded' && d.type !== 'captured') break;
          const facts = (await trx('order_fulfillment')
            .where({ tenant, order_id: idOfStream(e.streamName) })
            .first('currency')) as { currency: string } | undefined;
          if (facts)
            daily.add(
              { tenant, day: day(d.recordedAt), currency: facts.currency },
              e.type === 'RefundRecorded' ? { refunded: d.amount } : { captured: d.amount },
            );
          break;
        }
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
        case 'ShipmentCreated':
          await trx('shipment_carriers')
            .insert({ tenant, shipment_id: d.shipmentId, carrier: d.carrier })
            .onConflict(['tenant', 'shipment_id'])
            .ignore();
          break;
        case 'ShipmentStatusChanged':
        case 'ShipmentTrackingEventRecorded': {
          if (d.status !== 'exception') break;
          const s = (await trx('shipment_carriers').where({ tenant, shipment_id: d.shipmentId }).first()) as
            | { carrier: string }
            | undefined;
          exceptions.add({ tenant, carrier: s?.carrier ?? 'unknown', day: day(d.occurredAt) }, { exceptions: 1 });
          break;
        }
      }
    }
    for (const c of [daily, units, moves, exceptions]) await c.flush(trx);
  },
};
