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

/**
 * The customer's personal data was forgotten (crypto-shredded): the event itself carries none.
 * From here on the customer folds to redacted values, whatever older events held.
 */
export type CustomerForgotten = {
  type: 'CustomerForgotten';
  data: { customerId: string; forgottenAt: string };
};

export type CustomerEvent = CustomerRegistered | CustomerUpdated | CustomerForgotten;
