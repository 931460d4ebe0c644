import type { Knex } from 'knex';

// The row-per-order tables of the analytics projection (order_fulfillment, backorders), folded per
// order over a batch and written in a few multi-row statements. Each column keeps the meaning it
// has when events are applied one at a time, so any split of the log into batches (a live
// projection's small ones, a replay's large ones) gives the same rows:
//   placed        insert, ignored when the row exists
//   confirmed_at, first_shipped_at   the first one wins (set only while null)
//   cancelled_at, delivered_at       the last one wins
//   backorders    inserted by the first backorder of an order (ignored when the row exists),
//                 resolved by the first confirmation or cancellation after it (only while unresolved)

interface Fulfilment {
  tenant: string;
  orderId: string;
  placed?: { currency: string; subtotal: bigint; total: bigint; placedAt: string };
  confirmedAt?: string;
  firstShippedAt?: string;
  deliveredAt?: string;
  cancelledAt?: string;
  /** The first resolution in the batch: applies to a backorder row stored before the batch. */
  resolveStored?: { at: string; resolution: string };
  /** A backorder row this batch inserts (unless one is stored), with what resolved it later in the batch. */
  backorder?: { at: string; resolvedAt?: string; resolution?: string };
}

type OrderFacts = { currency: string; subtotal: bigint | string; total: bigint | string | null };

const keyOf = (tenant: string, orderId: string) => `${tenant}\u0000${orderId}`;

export class OrderMilestones {
  private readonly orders = new Map<string, Fulfilment>();

  private of(tenant: string, orderId: string): Fulfilment {
    const key = keyOf(tenant, orderId);
    const known = this.orders.get(key);
    if (known) return known;
    const f: Fulfilment = { tenant, orderId };
    this.orders.set(key, f);
    return f;
  }

  placed(
    tenant: string,
    orderId: string,
    facts: { currency: string; subtotal: bigint; total: bigint; placedAt: string },
  ): void {
    const f = this.of(tenant, orderId);
    f.placed ??= facts;
  }

  confirmed(tenant: string, orderId: string, at: string): void {
    const f = this.of(tenant, orderId);
    f.confirmedAt ??= at;
    this.resolve(f, at, 'confirmed');
  }

  cancelled(tenant: string, orderId: string, at: string): void {
    const f = this.of(tenant, orderId);
    f.cancelledAt = at;
    this.resolve(f, at, 'cancelled');
  }

  backordered(tenant: string, orderId: string, at: string): void {
    const f = this.of(tenant, orderId);
    f.backorder ??= { at };
  }

  shipped(tenant: string, orderId: string, at: string): void {
    this.of(tenant, orderId).firstShippedAt ??= at;
  }

  delivered(tenant: string, orderId: string, at: string): void {
    this.of(tenant, orderId).deliveredAt = at;
  }

  private resolve(f: Fulfilment, at: string, resolution: string): void {
    f.resolveStored ??= { at, resolution };
    if (f.backorder && !f.backorder.resolvedAt) Object.assign(f.backorder, { resolvedAt: at, resolution });
  }

  /** Currency, subtotal and total of these orders: placed in this batch, else as stored (total null before money). */
  async facts(
    trx: Knex.Transaction,
    orders: readonly { tenant: string; orderId: string }[],
  ): Promise<Map<string, OrderFacts>> {
    const found = new Map<string, OrderFacts>();
    const missing: { tenant: string; orderId: string }[] = [];
    for (const o of orders) {
      const placed = this.orders.get(keyOf(o.tenant, o.orderId))?.placed;
      if (placed) found.set(keyOf(o.tenant, o.orderId), placed);
      else missing.push(o);
    }
    if (missing.length > 0) {
      const rows = (
        await trx.raw(
          `select f.tenant, f.order_id, f.currency, f.subtotal::text as subtotal, f.total::text as total
             from order_fulfillment f
             join jsonb_to_recordset(?::jsonb) as k(tenant text, "orderId" text)
               on f.tenant = k.tenant and f.order_id = k."orderId"`,
          [JSON.stringify(missing)],
        )
      ).rows as { tenant: string; order_id: string; currency: string; subtotal: string; total: string | null }[];
      for (const r of rows) found.set(keyOf(r.tenant, r.order_id), r);
    }
    return found;
  }

  async flush(trx: Knex.Transaction): Promise<void> {
    const all = [...this.orders.values()];
    const placed = all.filter((f) => f.placed);
    if (placed.length > 0)
      await trx('order_fulfillment')
        .insert(
          placed.map((f) => ({
            tenant: f.tenant,
            order_id: f.orderId,
            currency: f.placed!.currency,
            subtotal: f.placed!.subtotal.toString(),
            total: f.placed!.total.toString(),
            placed_at: f.placed!.placedAt,
          })),
        )
        .onConflict(['tenant', 'order_id'])
        .ignore();
    const changed = all.filter((f) => f.confirmedAt || f.firstShippedAt || f.deliveredAt || f.cancelledAt);
    if (changed.length > 0)
      await trx.raw(
        `update order_fulfillment f
            set confirmed_at = coalesce(f.confirmed_at, v.confirmed),
                first_shipped_at = coalesce(f.first_shipped_at, v.shipped),
                delivered_at = coalesce(v.delivered, f.delivered_at),
                cancelled_at = coalesce(v.cancelled, f.cancelled_at)
           from jsonb_to_recordset(?::jsonb)
                as v(tenant text, "orderId" text, confirmed timestamptz, shipped timestamptz,
                     delivered timestamptz, cancelled timestamptz)
          where f.tenant = v.tenant and f.order_id = v."orderId"`,
        [
          JSON.stringify(
            changed.map((f) => ({
              tenant: f.tenant,
              orderId: f.orderId,
              confirmed: f.confirmedAt ?? null,
              shipped: f.firstShippedAt ?? null,
              delivered: f.deliveredAt ?? null,
              cancelled: f.cancelledAt ?? null,
            })),
          ),
        ],
      );
    // Resolutions of rows stored before the batch first: a row this batch inserts carries its own.
    const resolving = all.filter((f) => f.resolveStored);
    if (resolving.length > 0)
      await trx.raw(
        `update backorders b
            set resolved_at = v.at, resolution = v.resolution
           from jsonb_to_recordset(?::jsonb) as v(tenant text, "orderId" text, at timestamptz, resolution text)
          where b.tenant = v.tenant and b.order_id = v."orderId" and b.resolved_at is null`,
        [JSON.stringify(resolving.map((f) => ({ tenant: f.tenant, orderId: f.orderId, ...f.resolveStored })))],
      );
    const backordered = all.filter((f) => f.backorder);
    if (backordered.length > 0)
      await trx('backorders')
        .insert(
          backordered.map((f) => ({
            tenant: f.tenant,
            order_id: f.orderId,
            backordered_at: f.backorder!.at,
            resolved_at: f.backorder!.resolvedAt ?? null,
            resolution: f.backorder!.resolution ?? null,
          })),
        )
        .onConflict(['tenant', 'order_id'])
        .ignore();
  }
}

/** The stored carrier of each of these shipments. */
export async function carriersOf(
  trx: Knex.Transaction,
  shipments: readonly { tenant: string; shipmentId: string }[],
): Promise<Map<string, string>> {
  if (shipments.length === 0) return new Map();
  const rows = (
    await trx.raw(
      `select c.tenant, c.shipment_id, c.carrier
         from shipment_carriers c
         join (select distinct * from jsonb_to_recordset(?::jsonb) as k(tenant text, "shipmentId" text)) k
           on c.tenant = k.tenant and c.shipment_id = k."shipmentId"`,
      [JSON.stringify(shipments.map(({ tenant, shipmentId }) => ({ tenant, shipmentId })))],
    )
  ).rows as { tenant: string; shipment_id: string; carrier: string }[];
  return new Map(rows.map((r) => [`${r.tenant}\u0000${r.shipment_id}`, r.carrier]));
}
