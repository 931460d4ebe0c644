import type { UpcasterRegistry } from '../shared/event-versions.ts';
import type { CustomerPii } from './events.ts';

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

export const customerUpcasters: UpcasterRegistry = {
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
