import type { CustomerEvent } from './events.ts';
import { redactedPii } from './redacted.ts';
import type { CustomerState } from './state.ts';

export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered': {
      const d = event.data;
      return {
        status: 'active',
        customerId: d.customerId,
        externalId: d.externalId,
        ...d.pii,
        createdAt: d.registeredAt,
        updatedAt: d.registeredAt,
      };
    }
    case 'CustomerUpdated':
      if (state.status !== 'active') return state;
      return { ...state, ...event.data.pii, updatedAt: event.data.updatedAt };
    case 'CustomerForgotten':
      if (state.status !== 'active') return state;
      return { ...state, ...redactedPii(), updatedAt: event.data.forgottenAt, forgottenAt: event.data.forgottenAt };
  }
}
