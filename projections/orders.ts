import type { Knex } from 'knex';
import { orderDecider } from '../domain/orders/decider.ts';
import type { OrderEvent } from '../domain/orders/events.ts';
import { subtotalOf, type OrderState, type PlacedOrder } from '../domain/orders/state.ts';
import type { RecordedEvent } from '../src/eventstore/port.ts';
import { chunksForInsert } from '../src/projector/chunks.ts';
import type { Projection } from '../src/projector/projection.ts';

export const ORDER_EVENT_TYPES: readonly OrderEvent['type'][] = [
  'OrderPlaced',
  'OrderAllocationRecorded',
  'OrderConfirmed',
  'OrderBackordered',
  'OrderUpdated',
  'OrderCancelled',
  'OrderShipmentRecorded',
  'OrderShipmentCancelled',
  'OrderShipmentDelivered',
  'OrderShipped',
  'OrderDelivered',
];

const orderIdOf = (streamName: string) => streamName.slice(streamName.lastIndexOf(':') + 1);

/**
 * orders: each row holds the order folded with the domain's own evolve (so the read model IS a
 * fold of the stream) plus the columns that lists filter and sort on. A batch loads the touched
 * orders once, folds all their new events in memory and writes each row once.
 */
export const ordersProjection: Projection = {
  name: 'orders',
  handles: ORDER_EVENT_TYPES,
  tables: ['orders'],
  async apply(trx: Knex.Transaction, events: readonly RecordedEvent[]) {
    const byOrder = new Map<string, { tenant: string; id: string; events: RecordedEvent[] }>();
    for (const e of events) {
      const id = orderIdOf(e.streamName);
      const key = `${e.metadata.tenant}\u0000${id}`;
      const entry = byOrder.get(key) ?? { tenant: e.metadata.tenant, id, events: [] };
      entry.events.push(e);
      byOrder.set(key, entry);
    }
    const keys = [...byOrder.values()];
    const existing = (await trx('orders')
      .select('tenant', 'id', 'state', 'version')
      .whereIn(['tenant', 'id'], keys.map((k) => [k.tenant, k.id]))) as { tenant: string; id: string; state: PlacedOrder; version: number }[];
    const current = new Map(existing.map((r) => [`${r.tenant}\u0000${r.id}`, r]));
    const rows = [];
    for (const [key, { tenant, id, events: evs }] of byOrder) {
      const row = current.get(key);
      let state: OrderState = row?.state ?? orderDecider.initialState();
      let version = row?.version ?? 0;
      for (const e of evs) {
        if (e.revision + 1 <= version) continue; // already applied (a replayed batch)
        state = orderDecider.evolve(state, { type: e.type, data: e.data } as OrderEvent);
        version = e.revision + 1;
      }
      if (state.status === 'none') continue;
      rows.push({
        tenant,
        id,
        customer_id: state.customerId,
        status: state.status,
        currency: state.currency,
        external_id: state.externalId,
        subtotal: subtotalOf(state),
        total_quantity: state.lines.reduce((n, l) => n + l.quantity, 0),
        state: JSON.stringify(state),
        version,
        created_at: state.placedAt,
        updated_at: state.updatedAt,
      });
    }
    for (const chunk of chunksForInsert(rows)) await trx('orders').insert(chunk).onConflict(['tenant', 'id']).merge();
  },
};
