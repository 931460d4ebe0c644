import { REDACTED, redactedAddress, redactedPii } from '../../domain/customers/redacted.ts';
import { hasScope, type Principal, type Scope } from '../auth/principal.ts';

// Which scope reads the personal data an event carries: the one that reads the resource itself.
// A principal without it (events:read alone, say) sees the event with those fields in their
// redacted shapes, the same ones a forgotten customer's data reads back as, so every event stays
// valid against its published schema.

type Data = Record<string, unknown>;

/** The scope that reads the personal data of events of this type; none: the type carries none. */
export const PERSONAL_DATA_SCOPE: Readonly<Record<string, Scope>> = {
  CustomerRegistered: 'customers:read',
  CustomerUpdated: 'customers:read',
  OrderPlaced: 'orders:read',
  OrderUpdated: 'orders:read',
  OrderHoldPlaced: 'orders:read',
};

/** A CustomerUpdated names only the fields that changed: each reads as its redacted value. */
function redactedChanges(pii: Data): Data {
  const blank = redactedPii() as Data;
  return Object.fromEntries(Object.keys(pii).map((k) => [k, blank[k] ?? REDACTED]));
}

/** Free-text notes may name anyone: redacted like an address, null stays null. */
const redactedNotes = (notes: unknown) => (notes === null || notes === undefined ? notes : REDACTED);

function redact(type: string, data: Data): Data {
  switch (type) {
    case 'CustomerRegistered':
      return { ...data, pii: redactedPii() };
    case 'CustomerUpdated':
      return { ...data, pii: redactedChanges((data.pii ?? {}) as Data) };
    case 'OrderPlaced':
      return { ...data, shippingAddress: redactedAddress(), notes: redactedNotes(data.notes) };
    case 'OrderUpdated': {
      const changes = { ...((data.changes ?? {}) as Data) };
      if (changes.shippingAddress !== undefined) changes.shippingAddress = redactedAddress();
      if (changes.notes !== undefined) changes.notes = redactedNotes(changes.notes);
      return { ...data, changes };
    }
    case 'OrderHoldPlaced':
      return { ...data, note: redactedNotes(data.note) };
    default:
      return data;
  }
}

/** The event's data as this principal may see it. */
export function dataVisibleTo(principal: Principal, type: string, data: unknown): unknown {
  const scope = PERSONAL_DATA_SCOPE[type];
  if (!scope || hasScope(principal, scope)) return data;
  return redact(type, data as Data);
}
