import type { CustomerPii } from './events.ts';

export type RegisterCustomer = {
  type: 'RegisterCustomer';
  data: { customerId: string; externalId: string | null; pii: CustomerPii; now: string };
};

export type UpdateCustomer = {
  type: 'UpdateCustomer';
  data: { customerId: string; changes: Partial<CustomerPii>; now: string };
};

export type ForgetCustomer = {
  type: 'ForgetCustomer';
  data: { customerId: string; now: string };
};

export type CustomerCommand = RegisterCustomer | UpdateCustomer | ForgetCustomer;
