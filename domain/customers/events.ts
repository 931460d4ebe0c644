import type { Address } from '../shared/address.ts';

// Personal data sits under `pii` in every customer event, so it can be encrypted (and shredded)
// as one unit without changing the rest of the event.
export interface CustomerPii {
  email: string;
  name: string;
  phone: string | null;
  addresses: Address[];
}

export type CustomerRegistered = {
  type: 'CustomerRegistered';
  data: { customerId: string; externalId: string | null; pii: CustomerPii; registeredAt: string };
};

export type CustomerUpdated = {
  type: 'CustomerUpdated';
  /** Only the fields that changed. */
  data: { customerId: string; pii: Partial<CustomerPii>; updatedAt: string };
};

export type CustomerEvent = CustomerRegistered | CustomerUpdated;
