import type { CustomerPii } from '../../domain/customers/events.ts';
import type { UpcasterRegistry } from '../eventstore/upcasting.ts';

// Event shape versions. Every event is written with metadata.schemaVersion = its type's current
// version (1 for all types today); older shapes are upcast when read.
//
// Customer events v0 (before personal data was grouped for encryption) carried email, name,
// phone and addresses at the top level; v1 moves them under `pii`.
type CustomerV0 = {
  customerId: string;
  email?: string;
  name?: string;
  phone?: string | null;
  addresses?: CustomerPii['addresses'];
} & Record<string, unknown>;

function piiToSubObject({ email, name, phone, addresses, ...rest }: CustomerV0) {
  const pii = Object.fromEntries(Object.entries({ email, name, phone, addresses }).filter(([, v]) => v !== undefined));
  return { ...rest, pii };
}

export const upcasters: UpcasterRegistry = {
  CustomerRegistered: {
    current: 1,
    upcasters: {
      0: (d: CustomerV0) => {
        const up = piiToSubObject(d) as { pii: Partial<CustomerPii> } & Record<string, unknown>;
        return { externalId: null, ...up, pii: { phone: null, addresses: [], ...up.pii } };
      },
    },
  },
  CustomerUpdated: { current: 1, upcasters: { 0: piiToSubObject } },
};

/** The version an event type is written with today. */
export const currentVersion = (type: string): number => upcasters[type]?.current ?? 1;
