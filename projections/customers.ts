import type { CustomerEvent } from '../domain/customers/events.ts';
import type { RecordedEvent } from '../src/eventstore/port.ts';
import type { Projection } from '../src/projector/projection.ts';

// customers: one row per customer, the latest state and its version (stream revision + 1).
export const customersProjection: Projection = {
  name: 'customers',
  handles: ['CustomerRegistered', 'CustomerUpdated'],
  tables: ['customers'],
  async apply(trx, events) {
    for (const recorded of events as readonly RecordedEvent<CustomerEvent['type']>[]) {
      const event = { type: recorded.type, data: recorded.data } as CustomerEvent;
      const tenant = recorded.metadata.tenant;
      const version = recorded.revision + 1;
      switch (event.type) {
        case 'CustomerRegistered': {
          const { customerId, externalId, pii, registeredAt } = event.data;
          await trx('customers')
            .insert({
              tenant,
              id: customerId,
              email: pii.email,
              email_lower: pii.email.toLowerCase(),
              name: pii.name,
              phone: pii.phone,
              external_id: externalId,
              addresses: JSON.stringify(pii.addresses),
              version,
              created_at: registeredAt,
              updated_at: registeredAt,
            })
            .onConflict(['tenant', 'id'])
            .ignore();
          break;
        }
        case 'CustomerUpdated': {
          const { customerId, pii, updatedAt } = event.data;
          const row: Record<string, unknown> = { version, updated_at: updatedAt };
          if (pii.email !== undefined) Object.assign(row, { email: pii.email, email_lower: pii.email.toLowerCase() });
          if (pii.name !== undefined) row.name = pii.name;
          if (pii.phone !== undefined) row.phone = pii.phone;
          if (pii.addresses !== undefined) row.addresses = JSON.stringify(pii.addresses);
          await trx('customers').where({ tenant, id: customerId }).update(row);
          break;
        }
      }
    }
  },
};
