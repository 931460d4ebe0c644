import type { CustomerCommand } from './commands.ts';
import { customerAlreadyExists, customerForgotten, customerNotFound } from './errors.ts';
import type { CustomerEvent, CustomerPii } from './events.ts';
import type { CustomerState } from './state.ts';

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function decideCustomer(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  switch (command.type) {
    case 'RegisterCustomer': {
      if (state.status !== 'none') throw customerAlreadyExists(command.data.customerId);
      const { customerId, externalId, pii, now } = command.data;
      return [{ type: 'CustomerRegistered', data: { customerId, externalId, pii, registeredAt: now } }];
    }
    case 'UpdateCustomer': {
      if (state.status !== 'active') throw customerNotFound(command.data.customerId);
      if (state.forgottenAt) throw customerForgotten(command.data.customerId);
      // Only real changes become an event; an update that changes nothing appends nothing.
      const changed: Partial<CustomerPii> = {};
      for (const [key, value] of Object.entries(command.data.changes) as [keyof CustomerPii, unknown][]) {
        if (value !== undefined && !sameValue(state[key], value)) (changed as Record<string, unknown>)[key] = value;
      }
      if (Object.keys(changed).length === 0) return [];
      return [
        {
          type: 'CustomerUpdated',
          data: { customerId: command.data.customerId, pii: changed, updatedAt: command.data.now },
        },
      ];
    }
    case 'ForgetCustomer': {
      if (state.status !== 'active') throw customerNotFound(command.data.customerId);
      // Forgetting twice is the same as once: nothing more to append.
      if (state.forgottenAt) return [];
      return [
        { type: 'CustomerForgotten', data: { customerId: command.data.customerId, forgottenAt: command.data.now } },
      ];
    }
  }
}
