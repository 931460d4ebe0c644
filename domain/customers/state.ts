import type { Address } from '../shared/address.ts';

export type CustomerState =
  | { status: 'none' }
  | {
      status: 'active';
      customerId: string;
      externalId: string | null;
      email: string;
      name: string;
      phone: string | null;
      addresses: Address[];
      createdAt: string;
      updatedAt: string;
    };

export const initialCustomerState = (): CustomerState => ({ status: 'none' });
