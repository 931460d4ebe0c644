import type { Knex } from 'knex';
import { shipmentDecider } from '../domain/shipments/decider.ts';
import type { ShipmentEvent } from '../domain/shipments/events.ts';
import type { ActiveShipment, ShipmentState } from '../domain/shipments/state.ts';
import type { RecordedEvent } from '../src/eventstore/port.ts';
import { chunksForInsert } from '../src/projector/chunks.ts';
import type { Projection } from '../src/projector/projection.ts';

const idOf = (streamName: string) => streamName.slice(streamName.lastIndexOf(':') + 1);

/** shipments: each row is the shipment folded with the domain's evolve (timeline included). */
export const shipmentsProjection: Projection = {
  name: 'shipments',
  handles: ['ShipmentCreated', 'ShipmentStatusChanged', 'ShipmentTrackingEventRecorded'] satisfies ShipmentEvent['type'][],
  tables: ['shipments'],
  async apply(trx: Knex.Transaction, events: readonly RecordedEvent[]) {
    const groups = new Map<string, { tenant: string; id: string; events: RecordedEvent[] }>();
    for (const e of events) {
      const key = `${e.metadata.tenant}\u0000${idOf(e.streamName)}`;
      const g = groups.get(key) ?? { tenant: e.metadata.tenant, id: idOf(e.streamName), events: [] };
      g.events.push(e);
      groups.set(key, g);
    }
    const existing = (await trx('shipments')
      .select('tenant', 'id', 'state', 'version')
      .whereIn(['tenant', 'id'], [...groups.values()].map((g) => [g.tenant, g.id]))) as { tenant: string; id: string; state: ActiveShipment; version: number }[];
    const current = new Map(existing.map((r) => [`${r.tenant}\u0000${r.id}`, r]));
    const rows = [];
    for (const [key, g] of groups) {
      let state: ShipmentState = current.get(key)?.state ?? shipmentDecider.initialState();
      let version = current.get(key)?.version ?? 0;
      for (const e of g.events) {
        if (e.revision + 1 <= version) continue;
        state = shipmentDecider.evolve(state, { type: e.type, data: e.data } as ShipmentEvent);
        version = e.revision + 1;
      }
      if (state.status === 'none') continue;
      rows.push({
        tenant: g.tenant,
        id: g.id,
        order_id: state.orderId,
        status: state.status,
        carrier: state.carrier,
        tracking_number: state.trackingNumber,
        state: JSON.stringify(state),
        version,
        created_at: state.createdAt,
        updated_at: state.updatedAt,
      });
    }
    for (const chunk of chunksForInsert(rows)) await trx('shipments').insert(chunk).onConflict(['tenant', 'id']).merge();
  },
};
