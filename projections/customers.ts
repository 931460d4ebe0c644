import { customerDecider } from '../domain/customers/decider.ts';
import type { CustomerEvent } from '../domain/customers/events.ts';
import type { CustomerState } from '../domain/customers/state.ts';
import { foldedStateProjection } from './folded-state.ts';

// customers: one row per customer, the latest state and its version (stream revision + 1).
export const customersProjection = foldedStateProjection<CustomerState, CustomerEvent>({
  name: 'customers',
  table: 'customers',
  handles: ['CustomerRegistered', 'CustomerUpdated', 'CustomerForgotten'] satisfies CustomerEvent['type'][],
  decider: customerDecider,
  columns: (s) =>
    s.status !== 'active'
      ? null
      : {
          email: s.email,
          email_lower: s.email.toLowerCase(),
          name: s.name,
          phone: s.phone,
          external_id: s.externalId,
          addresses: s.addresses, // jsonb: the upsert passes nested values through as JSON
          created_at: s.createdAt,
          updated_at: s.updatedAt,
        },
});
