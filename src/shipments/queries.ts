import type { Knex } from 'knex';
import type { ActiveShipment } from '../../domain/shipments/state.ts';
import { shipmentsProjection } from '../../projections/shipments.ts';
import { decodeCursor, page } from '../queries/pagination.ts';
import { type ReadModelAnswer, STALE_COLUMN_SQL } from '../queries/stale.ts';
import { shipmentStream } from './commands.ts';
import type { ListShipmentsQuery, TrackingQuery } from './schemas.ts';
import { shipmentView, type ShipmentView } from './view.ts';

interface Row {
  id: string;
  state: ActiveShipment;
  version: number;
  created_at: Date;
}

/** The shipment's row, and whether it is stale (an event of the shipment is parked). */
export async function getShipment(
  knex: Knex,
  tenant: string,
  id: string,
): Promise<ReadModelAnswer<ShipmentView> | null> {
  const row = (await knex('shipments')
    .select('state', 'version')
    .select(knex.raw(STALE_COLUMN_SQL, [shipmentsProjection.name, shipmentStream(tenant, id)]))
    .where({ tenant, id })
    .first()) as (Row & { stale: boolean }) | undefined;
  return row ? { view: shipmentView(row.state, row.version), stale: row.stale } : null;
}

export async function listShipments(knex: Knex, tenant: string, q: ListShipmentsQuery) {
  const query = knex('shipments').select('id', 'state', 'version', 'created_at').where({ tenant });
  if (q.orderId) query.andWhere('order_id', q.orderId);
  if (q.status) query.andWhere('status', q.status);
  return newestFirst(query, q);
}

/** Shipments with a carrier tracking number, newest first (a consolidated number can cover several). */
export async function findByTrackingNumber(knex: Knex, tenant: string, trackingNumber: string, q: TrackingQuery) {
  return newestFirst(
    knex('shipments').select('id', 'state', 'version', 'created_at').where({ tenant, tracking_number: trackingNumber }),
    q,
  );
}

async function newestFirst(query: Knex.QueryBuilder, q: { limit: number; cursor?: string | undefined }) {
  const cursor = decodeCursor(q.cursor);
  if (cursor) query.andWhereRaw('(created_at, id) < (?::timestamptz, ?)', [cursor.createdAt, cursor.id]);
  const rows = (await query
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(q.limit + 1)) as Row[];
  const p = page(rows, q.limit, (r) => ({ createdAt: r.created_at.toISOString(), id: r.id }));
  return { data: p.data.map((r) => shipmentView(r.state, r.version)), nextCursor: p.nextCursor };
}
