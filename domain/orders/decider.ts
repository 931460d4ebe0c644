import type { Decider } from '../shared/decider.ts';
import type { OrderCommand } from './commands.ts';
import { decideOrder } from './decide.ts';
import type { OrderEvent } from './events.ts';
import { evolveOrder } from './evolve.ts';
import { initialOrderState, type OrderState } from './state.ts';

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  initialState: initialOrderState,
  decide: decideOrder,
  evolve: evolveOrder,
};
