import type { Knex } from 'knex';
import { levelOf } from '../../domain/inventory/level.ts';
import { inventoryProjection } from '../../projections/inventory.ts';
import type { EventStore } from '../eventstore/port.ts';
import { invalidQuery } from '../queries/errors.ts';
import { decodeCursor, isSafeText } from '../queries/pagination.ts';
import type { LocationLevelView } from './commands.ts';
import type { ListInventoryQuery, MovementsQuery } from './schemas.ts';
import { inventoryStream, loadInventory, locationCode } from './streams.ts';

// Levels are bigint columns (read as strings); the domain keeps them ≤ 10^12, exact as numbers.
interface LevelRow {
  sku: string;
  location: string;
  on_hand: string;
  reserved: string;
  version: number;
}

const levelView = (r: LevelRow): LocationLevelView => ({
  sku: r.sku,
  location: r.location,
  onHand: Number(r.on_hand),
  reserved: Number(r.reserved),
  available: Number(r.on_hand) - Number(r.reserved),
  version: r.version,
});

/**
 * Stock of a SKU, from inventory_levels, except for locations whose row is stale (an inventory event of
 * that location is parked, see ../queries/stale.ts): those, and a location whose first event is parked
 * (no row at all), are folded from their streams. null when the SKU has no location either way.
 */
export async function getSkuLevel(knex: Knex, store: EventStore, tenant: string, sku: string) {
  const prefix = inventoryStream(tenant, sku, '');
  const [rows, stale] = await Promise.all([
    knex('inventory_levels').where({ tenant, sku }).orderBy('location') as Promise<LevelRow[]>,
    // Normally empty; the primary key's projection prefix narrows it to this projection's marks.
    knex('stale_entities')
      .distinct('stream_name')
      .where({ projection: inventoryProjection.name })
      .andWhereRaw('starts_with(stream_name, ?)', [prefix]) as Promise<{ stream_name: string }[]>,
  ]);
  const byLocation = new Map(rows.map((r) => [r.location, levelView(r)]));
  const staleLocations = stale.map((r) => r.stream_name.slice(prefix.length)).sort();
  for (const location of staleLocations) {
    const { state, version } = await loadInventory(store, tenant, sku, location);
    if (version === 0) continue;
    byLocation.set(location, { sku, location, ...levelOf(state), version });
  }
  if (byLocation.size === 0) return null;
  const levels = [...byLocation.values()];
  const sum = (f: (l: LocationLevelView) => number) => levels.reduce((n, l) => n + f(l), 0);
  return {
    level: {
      sku,
      onHand: sum((l) => l.onHand),
      reserved: sum((l) => l.reserved),
      available: sum((l) => l.available),
      locations: levels.map(({ sku: _sku, version: _v, ...rest }) => rest),
    },
    source: staleLocations.length > 0 ? ('stream' as const) : ('read-model' as const),
  };
}

/** Levels per SKU × location, in SKU then location order (keyset cursor on both). */
export async function listLevels(knex: Knex, tenant: string, q: ListInventoryQuery) {
  const query = knex('inventory_levels').where({ tenant });
  if (q.location) query.andWhere('location', locationCode(q.location));
  if (q.sku) query.andWhere('sku', q.sku);
  if (q.maxAvailable !== undefined) query.andWhereRaw('on_hand - reserved <= ?', [q.maxAvailable]);
  if (q.cursor) {
    const [sku, location] = decode(q.cursor);
    query.andWhereRaw('(sku, location) > (?, ?)', [sku, location]);
  }
  const rows = (await query.orderBy([{ column: 'sku' }, { column: 'location' }]).limit(q.limit + 1)) as LevelRow[];
  const data = rows.slice(0, q.limit).map(levelView);
  const last = data[data.length - 1];
  return {
    data,
    nextCursor:
      rows.length > q.limit && last
        ? Buffer.from(JSON.stringify([last.sku, last.location])).toString('base64url')
        : null,
  };
}

function decode(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && v.every(isSafeText)) return v as [string, string];
  } catch {
    // fall through
  }
  throw invalidQuery('query:/cursor', 'is not a cursor this API issued', 'invalid cursor');
}

interface MovementRow {
  event_id: string;
  type: string;
  sku: string;
  location: string;
  on_hand_delta: string;
  reserved_delta: string;
  on_hand_after: string;
  reserved_after: string;
  reason: string | null;
  order_id: string | null;
  shipment_id: string | null;
  reference: string | null;
  condition: string | null;
  quantity: number | null;
  occurred_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ledger of a SKU, newest first. */
export async function listMovements(knex: Knex, tenant: string, sku: string, q: MovementsQuery) {
  const query = knex('inventory_movements').where({ tenant, sku });
  if (q.location) query.andWhere('location', locationCode(q.location));
  const cursor = decodeCursor(q.cursor);
  if (cursor) {
    if (!UUID.test(cursor.id)) throw invalidQuery('query:/cursor', 'is not a cursor this API issued', 'invalid cursor');
    query.andWhereRaw('(occurred_at, event_id) < (?::timestamptz, ?::uuid)', [cursor.createdAt, cursor.id]);
  }
  const rows = (await query
    .orderBy([
      { column: 'occurred_at', order: 'desc' },
      { column: 'event_id', order: 'desc' },
    ])
    .limit(q.limit + 1)) as MovementRow[];
  const data = rows.slice(0, q.limit).map((r) => ({
    id: r.event_id,
    type: r.type,
    sku: r.sku,
    location: r.location,
    onHandDelta: Number(r.on_hand_delta),
    reservedDelta: Number(r.reserved_delta),
    onHand: Number(r.on_hand_after),
    reserved: Number(r.reserved_after),
    reason: r.reason,
    orderId: r.order_id,
    shipmentId: r.shipment_id,
    reference: r.reference,
    ...(r.condition ? { condition: r.condition, quantity: Number(r.quantity) } : {}),
    occurredAt: r.occurred_at.toISOString(),
  }));
  const last = data[data.length - 1];
  return {
    data,
    nextCursor:
      rows.length > q.limit && last
        ? Buffer.from(JSON.stringify([last.occurredAt, last.id])).toString('base64url')
        : null,
  };
}
