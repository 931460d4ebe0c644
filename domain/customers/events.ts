import type { FromSchema } from 'json-schema-to-ts';
import { addressSchema } from '../shared/address.ts';
import { arrayOf, dateTime, type EventsOf, object, str, strOrNull } from '../shared/schema.ts';

// Personal data sits under `pii` in every customer event, so it can be encrypted (and shredded)
// as one unit without changing the rest of the event. (In storage `pii` is a `pii.v1` envelope;
// these schemas describe the decrypted shape.)
const customerPii = object({ email: str, name: str, phone: strOrNull, addresses: arrayOf(addressSchema) });
export type CustomerPii = FromSchema<typeof customerPii>;

/** Each customer event's data, by type: the one definition of its shape. */
export const customerEventSchemas = {
  CustomerRegistered: object({ customerId: str, externalId: strOrNull, pii: customerPii, registeredAt: dateTime }),
  /** `pii` holds only the fields that changed. */
  CustomerUpdated: object({ customerId: str, pii: object(customerPii.properties, []), updatedAt: dateTime }),
  /**
   * The customer's personal data was forgotten (crypto-shredded): the event itself carries none.
   * From here on the customer folds to redacted values, whatever older events held.
   */
  CustomerForgotten: object({ customerId: str, forgottenAt: dateTime }),
} as const;

type CustomerEvents = EventsOf<typeof customerEventSchemas>;
export type CustomerRegistered = CustomerEvents['CustomerRegistered'];
export type CustomerUpdated = CustomerEvents['CustomerUpdated'];
export type CustomerForgotten = CustomerEvents['CustomerForgotten'];
export type CustomerEvent = CustomerEvents[keyof CustomerEvents];
