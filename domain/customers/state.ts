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
      /** Set once the personal data was forgotten; the personal fields are then redacted. */
      forgottenAt?: string;
    };

export const initialCustomerState = (): CustomerState => ({ status: 'none' });
