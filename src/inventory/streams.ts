import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { loadAggregate } from '../commands/load.ts';
import { streamName, type EventStore } from '../eventstore/port.ts';

export const DEFAULT_LOCATION = 'default';

/** One stream per SKU × location. SKU and location patterns exclude '@', so the id is unambiguous. */
export const inventoryStream = (tenant: string, sku: string, location: string) => streamName(tenant, 'inventory', `${sku}@${location}`);

export const loadInventory = (store: EventStore, tenant: string, sku: string, location: string) =>
  loadAggregate(store, inventoryStream(tenant, sku, location), inventoryDecider);
