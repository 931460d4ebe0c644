import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { stateCacheFor } from '../commands/state-cache.ts';
import { streamName, type EventStore } from '../eventstore/port.ts';

export const DEFAULT_LOCATION = 'default';

/** One stream per SKU × location. SKU and location patterns exclude '@', so the id is unambiguous. */
export const inventoryStream = (tenant: string, sku: string, location: string) =>
  streamName(tenant, 'inventory', `${sku}@${location}`);

/** This process's folded inventory streams (they hold no personal data; see StreamStateCache). */
export const inventoryStates = (store: EventStore) => stateCacheFor(store, inventoryDecider);

export const loadInventory = (store: EventStore, tenant: string, sku: string, location: string) =>
  inventoryStates(store).load(store, inventoryStream(tenant, sku, location));
