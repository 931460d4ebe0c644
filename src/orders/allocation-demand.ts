// Which partitions (tenant × SKU) the allocators have to look at, and for which orders: a
// projection of the log into the allocation_demand work queue (see its migration). It runs in the
// projector like any read model, so a row is written exactly once per event, in the transaction
// that moves its checkpoint, and the NOTIFY that wakes the allocators is sent only on commit.
import type { Knex } from 'knex';
import type { InventoryEvent } from '../../domain/inventory/events.ts';
import type { OrderEvent } from '../../domain/orders/events.ts';
import { idOfStream, type RecordedEvent } from '../eventstore/port.ts';
import type { Projection } from '../projector/projection.ts';

export const DEMAND_CHANNEL = 'oms_allocation_demand';
/** The actor of the allocators' own writes: their releases were decided with the wait list, so they make no new demand. */
export const ALLOCATOR_ACTOR = 'system:allocator';

export interface DemandRow {
  tenant: string;
  /** '' : the order's SKUs are still to be found (from its stream). */
  sku: string;
  /** '' : no order in particular (stock came free: serve the wait list). */
  order_id: string;
  /** A location to try that the inventory read model may not show yet. */
  location: string;
  cause: string | null;
  correlation_id: string | null;
}

/** The demand an event makes, if any. */
export function demandOf(e: RecordedEvent): DemandRow[] {
  if (e.metadata.actor === ALLOCATOR_ACTOR) return [];
  const row = (sku: string, orderId: string, location = ''): DemandRow => ({
    tenant: e.metadata.tenant,
    sku,
    order_id: orderId,
    location,
    cause: e.id,
    correlation_id: e.metadata.correlationId,
  });
  const ev = { type: e.type, data: e.data } as OrderEvent | InventoryEvent;
  switch (ev.type) {
    case 'OrderPlaced':
      return ev.data.lines.map((l) => row(l.sku, idOfStream(e.streamName)));
    case 'OrderUpdated':
      // The SKUs it drops are only in its history: the allocator reads it.
      return ev.data.changes.lines ? [row('', idOfStream(e.streamName))] : [];
    case 'OrderCancelled':
      return [row('', idOfStream(e.streamName))];
    case 'OrderLinesCancelled':
      // Cancelled units give back their reservations and leave the wait list.
      return ev.data.lines.map((l) => row(l.sku, idOfStream(e.streamName)));
    case 'ReservationReleased':
      // A shortfall took units from an order behind its back; other releases free stock for the wait list.
      return ev.data.reason === 'stock_shortfall'
        ? [row(ev.data.sku, ev.data.orderId, ev.data.location)]
        : [row(ev.data.sku, '', ev.data.location)];
    case 'StockAdjusted':
    case 'StockCounted':
      return ev.data.delta > 0 ? [row(ev.data.sku, '', ev.data.location)] : [];
    case 'BackorderDequeued':
      return ev.data.reason === 'reserved' ? [] : [row(ev.data.sku, '', ev.data.location)];
    default:
      return [];
  }
}

/** The insert of demand rows ($rows: JSON, in order), reading first from `from` (a gate CTE) if given. */
const insertRows = (from?: string) => `
  insert into allocation_demand (tenant, sku, order_id, location, cause, correlation_id)
  select r.tenant, r.sku, r.order_id, r.location, r.cause, r.correlation_id
    from ${from ? `${from}, ` : ''}rows from (jsonb_to_recordset(?::jsonb)
           as (tenant text, sku text, order_id text, location text, cause uuid, correlation_id text))
         with ordinality as r(tenant, sku, order_id, location, cause, correlation_id, n)
   order by r.n`;

/** The notification's payload: rows that name no SKU (see insertDemand). */
const orderLevelRows = (rows: readonly DemandRow[]) => String(rows.filter((r) => r.sku === '').length);

/**
 * Queues demand rows, in order, and wakes the allocators on commit: one statement (a round trip is
 * what a busy machine makes the projector wait for). The notification's payload is the number of
 * rows that name no SKU (an order cancelled or changed): only then do the allocators look for such
 * rows, instead of at every batch.
 */
export async function insertDemand(knex: Knex | Knex.Transaction, rows: readonly DemandRow[]): Promise<void> {
  if (rows.length === 0) return;
  await knex.raw(`with queued as (${insertRows()}) select pg_notify(?, ?)`, [
    JSON.stringify(rows),
    DEMAND_CHANNEL,
    orderLevelRows(rows),
  ]);
}

export const allocationDemandProjection: Projection = {
  name: 'allocation-demand',
  handles: [
    'OrderPlaced',
    'OrderUpdated',
    'OrderCancelled',
    'OrderLinesCancelled',
    'ReservationReleased',
    'StockAdjusted',
    'StockCounted',
    'BackorderDequeued',
  ],
  // A work queue the allocators consume, not a read model: nothing to rebuild or compare.
  tables: [],
  async apply(trx, events) {
    await insertDemand(trx, events.flatMap(demandOf));
  },
  // The demand row is the first step of every allocation: its page is one statement, not four.
  statement(events, gate) {
    const rows = events.flatMap(demandOf);
    if (rows.length === 0) return null;
    return {
      ctes: `demand_queued as (${insertRows(gate)}), demand_woken as (select pg_notify(?, ?) from ${gate})`,
      bindings: [JSON.stringify(rows), DEMAND_CHANNEL, orderLevelRows(rows)],
      run: ['demand_woken'],
    };
  },
};
