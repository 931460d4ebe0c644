import { inventoryDecider } from '../../domain/inventory/decider.ts';
import { foldRecorded } from '../audit/history.ts';
import { streamName, type EventStore } from '../eventstore/port.ts';

export const DEFAULT_LOCATION = 'default';

/** One stream per SKU × location. SKU and location patterns exclude '@', so the id is unambiguous. */
export const inventoryStream = (tenant: string, sku: string, location: string) => streamName(tenant, 'inventory', `${sku}@${location}`);

export async function loadInventory(store: EventStore, tenant: string, sku: string, location: string) {
  const events = await store.readStream(inventoryStream(tenant, sku, location));
  return { state: foldRecorded(inventoryDecider, events), version: events.length, events };
}
