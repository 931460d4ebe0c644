// Where a SKU's stock may be found, for the allocation process manager. Two implementations of one
// port: the inventory read model (production: one indexed query, possibly a little behind the
// log) and a fold of the tenant's inventory events (no database: fine for small stores, used by
// the unit tier). Both answer the same question the same way.
import type { Knex } from 'knex';
import { LEVEL_EVENT_TYPES, type LevelEvent } from '../../domain/inventory/events.ts';
import type { EventStore, Position } from '../eventstore/port.ts';
import { DEFAULT_LOCATION } from './streams.ts';

export interface StockLocations {
  /**
   * Where an order line may draw stock: the default location first, then the ones it already
   * holds (`held`), then the others with stock available, by name. With `all` (releases): every
   * known location of the SKU, with or without stock.
   */
  candidates(tenant: string, sku: string, held: readonly string[], options?: { all?: boolean }): Promise<string[]>;
  /** candidates() for several SKUs of a tenant at once (one query on the read model), in the order asked. */
  candidatesMany(
    tenant: string,
    asks: readonly { sku: string; held: readonly string[] }[],
    options?: { all?: boolean },
  ): Promise<string[][]>;
}

const ordered = (held: readonly string[], others: readonly string[]) => [
  ...new Set([DEFAULT_LOCATION, ...held, ...others]),
];

/** From the inventory_levels read model. */
export function readModelLocations(knex: Knex): StockLocations {
  return {
    async candidatesMany(tenant, asks, options = {}) {
      const q = knex('inventory_levels')
        .select('sku', 'location')
        .where({ tenant })
        .whereIn('sku', [...new Set(asks.map((a) => a.sku))])
        .andWhereNot('location', DEFAULT_LOCATION);
      if (!options.all) q.andWhereRaw('on_hand > reserved');
      const rows = (await q.orderBy(['sku', 'location'])) as { sku: string; location: string }[];
      const bySku = new Map<string, string[]>();
      for (const r of rows) bySku.set(r.sku, [...(bySku.get(r.sku) ?? []), r.location]);
      return asks.map((a) => ordered(a.held, bySku.get(a.sku) ?? []));
    },
    async candidates(tenant, sku, held, options = {}) {
      const q = knex('inventory_levels')
        .select('location')
        .where({ tenant, sku })
        .andWhereNot('location', DEFAULT_LOCATION);
      if (!options.all) q.andWhereRaw('on_hand > reserved');
      const rows = (await q.orderBy('location')) as { location: string }[];
      return ordered(
        held,
        rows.map((r) => r.location),
      );
    },
  };
}

const PAGE = 1_000;

/**
 * From the event log: folds every level event of the tenant (each carries the levels after it, as
 * the read model keeps them). Reads the tenant's whole inventory history on every call: for small
 * stores and tests, not for production.
 */
export function eventLogLocations(store: EventStore): StockLocations {
  return {
    async candidatesMany(tenant, asks, options) {
      const out: string[][] = [];
      for (const a of asks) out.push(await this.candidates(tenant, a.sku, a.held, options));
      return out;
    },
    async candidates(tenant, sku, held, options = {}) {
      const levels = new Map<string, { onHand: number; reserved: number }>();
      let after: Position | null = null;
      for (;;) {
        const page = await store.readAll({ after, maxCount: PAGE, tenant, types: LEVEL_EVENT_TYPES });
        for (const e of page) {
          const d = (e as unknown as LevelEvent).data;
          if (d.sku === sku) levels.set(d.location, { onHand: d.onHand, reserved: d.reserved });
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.position;
      }
      // By name in code-unit order (the database's collation could order '-' and '_' differently).
      const others = [...levels]
        .filter(([location, l]) => location !== DEFAULT_LOCATION && (options.all || l.onHand > l.reserved))
        .map(([location]) => location)
        .sort();
      return ordered(held, others);
    },
  };
}
