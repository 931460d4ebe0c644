import type { Decider } from '../shared/decider.ts';
import type { CustomerCommand } from './commands.ts';
import { decideCustomer } from './decide.ts';
import type { CustomerEvent } from './events.ts';
import { evolveCustomer } from './evolve.ts';
import { initialCustomerState, type CustomerState } from './state.ts';

export const customerDecider: Decider<CustomerCommand, CustomerEvent, CustomerState> = {
  initialState: initialCustomerState,
  decide: decideCustomer,
  evolve: evolveCustomer,
};
