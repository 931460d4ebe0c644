import { locationDecider } from '../../domain/locations/decider.ts';
import type { DefinedLocation } from '../../domain/locations/state.ts';
import { foldRecorded, loadAggregate } from '../commands/load.ts';
import { streamName, type EventStore } from '../eventstore/port.ts';

/** One stream per tenant and location code (the code in its one, lower-case form). */
export const locationStream = (tenant: string, code: string) => streamName(tenant, 'location', code);

export const loadLocation = (store: EventStore, tenant: string, code: string) =>
  loadAggregate(store, locationStream(tenant, code), locationDecider);

/**
 * The settings of these locations as their streams hold them now (one readStreams call): the
 * allocators read the truth, not the read model, so a location deactivated a moment ago is not
 * drawn from. Codes never defined are absent.
 */
export async function definedLocations(
  store: EventStore,
  tenant: string,
  codes: readonly string[],
): Promise<Map<string, DefinedLocation>> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const read = await store.readStreams(unique.map((code) => ({ streamName: locationStream(tenant, code) })));
  const out = new Map<string, DefinedLocation>();
  unique.forEach((code, i) => {
    const state = foldRecorded(locationDecider, read[i]!);
    if (state.status === 'defined') out.set(code, state);
  });
  return out;
}
