import type { Decider } from '../shared/decider.ts';
import type { ReturnCommand } from './commands.ts';
import { decideReturn } from './decide.ts';
import type { ReturnEvent } from './events.ts';
import { evolveReturn } from './evolve.ts';
import { initialReturnState, type ReturnState } from './state.ts';

export const returnDecider: Decider<ReturnCommand, ReturnEvent, ReturnState> = {
  initialState: initialReturnState,
  decide: decideReturn,
  evolve: evolveReturn,
};
