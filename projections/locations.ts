import { locationDecider } from '../domain/locations/decider.ts';
import type { LocationEvent } from '../domain/locations/events.ts';
import type { LocationState } from '../domain/locations/state.ts';
import { foldedStateProjection } from './folded-state.ts';

export const LOCATION_EVENT_TYPES: readonly LocationEvent['type'][] = ['LocationDefined', 'LocationChanged'];

/** locations: the folded location plus the columns the list sorts and filters on. */
export const locationsProjection = foldedStateProjection<LocationState, LocationEvent>({
  name: 'locations',
  table: 'locations',
  handles: LOCATION_EVENT_TYPES,
  decider: locationDecider,
  columns: (s) =>
    s.status === 'none'
      ? null
      : { priority: s.priority, active: s.active, created_at: s.definedAt, updated_at: s.updatedAt },
});
