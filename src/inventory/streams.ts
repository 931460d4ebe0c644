import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { stateCacheFor } from '../commands/state-cache.ts';
import { streamName, type EventStore } from '../eventstore/port.ts';

export const DEFAULT_LOCATION = 'default';

/**
 * The one form of a location code. Codes are case-insensitive: `HN-01`, `hn-01` and `Hn-01` are one
 * location, stored, named in streams and answered as `hn-01`. Every entry point (adjustment and
 * shipment bodies, the count's path, query filters) and every command folds with this, so the
 * inventory stream and the read model agree. Codes match LOCATION_PATTERN (ASCII only), so lower-casing
 * does not depend on the locale.
 */
export const locationCode = (location: string): string => location.toLowerCase();

/** One stream per SKU × location. SKU and location patterns exclude '@', so the id is unambiguous. */
export const inventoryStream = (tenant: string, sku: string, location: string) =>
  streamName(tenant, 'inventory', `${sku}@${location}`);

/** This process's folded inventory streams (they hold no personal data; see StreamStateCache). */
export const inventoryStates = (store: EventStore) => stateCacheFor(store, inventoryDecider);

export const loadInventory = (store: EventStore, tenant: string, sku: string, location: string) =>
  inventoryStates(store).load(store, inventoryStream(tenant, sku, location));
