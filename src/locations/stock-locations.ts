// Where a SKU's stock may be found, for the allocation process manager. Two implementations of one
// port: the inventory read model (production: one indexed query, possibly a little behind the
// log) and a fold of the tenant's inventory events (no database: fine for small stores, used by
// the unit tier). Both answer the same question the same way.
import type { Knex } from 'knex';
import { LEVEL_EVENT_TYPES, type LevelEvent } from '../../domain/inventory/events.ts';
import type { DefinedLocation } from '../../domain/locations/state.ts';
import type { EventStore, Position } from '../eventstore/port.ts';
import { definedLocations } from './streams.ts';
import { DEFAULT_LOCATION } from '../inventory/streams.ts';

/** Where a line may draw stock, in the order to try, and where it may not. */
export interface Candidates {
  /**
   * Active defined locations by priority (ties by code), then the locations never defined as
   * before locations existed (the default one, the ones the order holds, the others by name),
   * then inactive ones (they only give back what they hold). Always includes the default
   * location: it keeps the wait list.
   */
  locations: string[];
  /** Defined and inactive: never drawn from. */
  inactive: string[];
}

export interface StockLocations {
  /**
   * Where an order line may draw stock (see Candidates): the default location, the ones it already
   * holds (`held`), the others with stock available. With `all` (releases): every known location
   * of the SKU, with or without stock.
   */
  candidates(tenant: string, sku: string, held: readonly string[], options?: { all?: boolean }): Promise<Candidates>;
  /** candidates() for several SKUs of a tenant at once (one query on the read model), in the order asked. */
  candidatesMany(
    tenant: string,
    asks: readonly { sku: string; held: readonly string[] }[],
    options?: { all?: boolean },
  ): Promise<Candidates[]>;
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders the locations of a line by their settings (see Candidates); `others` by name. */
export function allocationOrder(
  held: readonly string[],
  others: readonly string[],
  defined: ReadonlyMap<string, Pick<DefinedLocation, 'priority' | 'active'>>,
): Candidates {
  const all = [...new Set([DEFAULT_LOCATION, ...held, ...others])];
  const active = all
    .filter((l) => defined.get(l)?.active)
    .sort((a, b) => defined.get(a)!.priority - defined.get(b)!.priority || byCode(a, b));
  const inactive = all.filter((l) => defined.get(l)?.active === false).sort(byCode);
  return { locations: [...active, ...all.filter((l) => !defined.has(l)), ...inactive], inactive };
}

/** From the inventory_levels read model; the locations' settings from their streams (always current). */
export function readModelLocations(knex: Knex, store: EventStore): StockLocations {
  return {
    async candidatesMany(tenant, asks, options = {}) {
      const q = knex('inventory_levels')
        .select('sku', 'location')
        .where({ tenant })
        .whereIn('sku', [...new Set(asks.map((a) => a.sku))])
        .andWhereNot('location', DEFAULT_LOCATION);
      if (!options.all) q.andWhereRaw('on_hand > reserved');
      // The settings of the locations known already are read while the levels are; only codes the
      // levels add cost a second read (a round trip is what a busy machine makes the allocator wait for).
      const known = new Set([DEFAULT_LOCATION, ...asks.flatMap((a) => a.held)]);
      const [rows, settings] = await Promise.all([
        q.orderBy(['sku', 'location']) as Promise<{ sku: string; location: string }[]>,
        definedLocations(store, tenant, [...known]),
      ]);
      const bySku = new Map<string, string[]>();
      for (const r of rows) bySku.set(r.sku, [...(bySku.get(r.sku) ?? []), r.location]);
      const added = rows.map((r) => r.location).filter((l) => !known.has(l));
      const defined = added.length
        ? new Map([...settings, ...(await definedLocations(store, tenant, added))])
        : settings;
      return asks.map((a) => allocationOrder(a.held, bySku.get(a.sku) ?? [], defined));
    },
    async candidates(tenant, sku, held, options) {
      return (await this.candidatesMany(tenant, [{ sku, held }], options))[0]!;
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
      const out: Candidates[] = [];
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
      const defined = await definedLocations(store, tenant, [DEFAULT_LOCATION, ...held, ...others]);
      return allocationOrder(held, others, defined);
    },
  };
}
