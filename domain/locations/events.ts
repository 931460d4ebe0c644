import { addressSchema } from '../shared/address.ts';
import { type EventsOf, int, object, str } from '../shared/schema.ts';

// Stock locations (warehouses, stores): one stream per tenant and location code. Their priority
// and whether they are active decide where allocation draws stock from.

const settings = {
  name: str,
  /** Where the location is (not personal data: a warehouse's address). */
  address: { anyOf: [addressSchema, { type: 'null' }] },
  /** 1 is tried first. */
  priority: int,
  /** An inactive location is never allocated from. */
  active: { type: 'boolean' },
} as const;

/** Each location event's data, by type: the one definition of its shape. */
export const locationEventSchemas = {
  LocationDefined: object({ code: str, ...settings, definedAt: { type: 'string', format: 'date-time' } }),
  /** Only what changed. */
  LocationChanged: object({
    code: str,
    changes: object(settings, []),
    changedAt: { type: 'string', format: 'date-time' },
  }),
} as const;

type LocationEvents = EventsOf<typeof locationEventSchemas>;
export type LocationDefined = LocationEvents['LocationDefined'];
export type LocationChanged = LocationEvents['LocationChanged'];
export type LocationEvent = LocationEvents[keyof LocationEvents];
