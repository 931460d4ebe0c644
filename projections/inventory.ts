import { LEVEL_EVENT_TYPES, type LevelEvent } from '../domain/inventory/events.ts';
import type { RecordedEvent } from '../src/eventstore/port.ts';
import { chunksForInsert } from '../src/projector/chunks.ts';
import type { Projection } from '../src/projector/projection.ts';

/**
 * inventory_levels (one row per SKU × location) and inventory_movements (the ledger). Every level
 * event carries the levels after it, so a batch keeps only the last event per SKU × location for
 * the levels and writes one ledger row per event.
 */
export const inventoryProjection: Projection = {
  name: 'inventory',
  handles: LEVEL_EVENT_TYPES,
  tables: ['inventory_levels', 'inventory_movements'],
  async apply(trx, events: readonly RecordedEvent[]) {
    const latest = new Map<string, Record<string, unknown>>();
    const movements = [];
    for (const e of events) {
      const ev = { type: e.type, data: e.data } as LevelEvent;
      const d = ev.data;
      const tenant = e.metadata.tenant;
      latest.set(`${tenant}\u0000${d.sku}\u0000${d.location}`, {
        tenant,
        sku: d.sku,
        location: d.location,
        on_hand: d.onHand,
        reserved: d.reserved,
        version: e.revision + 1,
        updated_at: d.occurredAt,
      });
      movements.push({
        tenant,
        event_id: e.id,
        sku: d.sku,
        location: d.location,
        type: e.type,
        on_hand_delta: d.onHandDelta,
        reserved_delta: d.reservedDelta,
        on_hand_after: d.onHand,
        reserved_after: d.reserved,
        reason: d.reason,
        order_id: 'orderId' in d ? d.orderId : null,
        shipment_id: 'shipmentId' in d ? d.shipmentId : null,
        reference: 'reference' in d ? d.reference : null,
        // Only damaged returns carry these: their levels do not move, the ledger says what came back.
        condition: 'condition' in d ? d.condition : null,
        quantity: 'condition' in d ? d.quantity : null,
        occurred_at: d.occurredAt,
      });
    }
    for (const chunk of chunksForInsert([...latest.values()])) {
      await trx('inventory_levels').insert(chunk).onConflict(['tenant', 'sku', 'location']).merge();
    }
    for (const chunk of chunksForInsert(movements))
      await trx('inventory_movements').insert(chunk).onConflict(['tenant', 'event_id']).ignore();
  },
};
