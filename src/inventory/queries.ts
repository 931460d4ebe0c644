import type { Knex } from 'knex';
import { invalidQuery } from '../queries/errors.ts';
import type { LocationLevelView } from './commands.ts';
import type { ListInventoryQuery, MovementsQuery } from './schemas.ts';
import { locationCode } from './streams.ts';

interface LevelRow {
  sku: string;
  location: string;
  on_hand: number;
  reserved: number;
  version: number;
}

const levelView = (r: LevelRow): LocationLevelView => ({
  sku: r.sku,
  location: r.location,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: r.on_hand - r.reserved,
  version: r.version,
});

export async function getSkuLevel(knex: Knex, tenant: string, sku: string) {
  const rows = (await knex('inventory_levels').where({ tenant, sku }).orderBy('location')) as LevelRow[];
  if (rows.length === 0) return null;
  const sum = (f: (r: LevelRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  return {
    sku,
    onHand: sum((r) => r.on_hand),
    reserved: sum((r) => r.reserved),
    available: sum((r) => r.on_hand - r.reserved),
    locations: rows.map((r) => {
      const { sku: _sku, version: _v, ...rest } = levelView(r);
      return rest;
    }),
  };
}

/** Levels per SKU × location, in SKU then location order (keyset cursor on both). */
export async function listLevels(knex: Knex, tenant: string, q: ListInventoryQuery) {
  const query = knex('inventory_levels').where({ tenant });
  if (q.location) query.andWhere('location', locationCode(q.location));
  if (q.sku) query.andWhere('sku', q.sku);
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
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string')) return v as [string, string];
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
  on_hand_delta: number;
  reserved_delta: number;
  on_hand_after: number;
  reserved_after: number;
  reason: string | null;
  order_id: string | null;
  shipment_id: string | null;
  reference: string | null;
  occurred_at: Date;
}

/** The ledger of a SKU, newest first. */
export async function listMovements(knex: Knex, tenant: string, sku: string, q: MovementsQuery) {
  const query = knex('inventory_movements').where({ tenant, sku });
  if (q.location) query.andWhere('location', locationCode(q.location));
  if (q.cursor) {
    const [at, id] = decode(q.cursor);
    query.andWhereRaw('(occurred_at, event_id) < (?::timestamptz, ?::uuid)', [at, id]);
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
    onHandDelta: r.on_hand_delta,
    reservedDelta: r.reserved_delta,
    onHand: r.on_hand_after,
    reserved: r.reserved_after,
    reason: r.reason,
    orderId: r.order_id,
    shipmentId: r.shipment_id,
    reference: r.reference,
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
