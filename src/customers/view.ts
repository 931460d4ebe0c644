import type { Address } from '../../domain/shared/address.ts';
import type { CustomerState } from '../../domain/customers/state.ts';

/** The customer as the API shows it. */
export interface CustomerView {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  externalId: string | null;
  addresses: Address[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function viewFromState(state: Extract<CustomerState, { status: 'active' }>, version: number): CustomerView {
  return {
    id: state.customerId,
    email: state.email,
    name: state.name,
    phone: state.phone,
    externalId: state.externalId,
    addresses: state.addresses,
    version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

export interface CustomerRow {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  external_id: string | null;
  addresses: Address[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function viewFromRow(r: CustomerRow): CustomerView {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    phone: r.phone,
    externalId: r.external_id,
    addresses: r.addresses,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
