import type { Decider } from '../shared/decider.ts';
import type { LocationCommand } from './commands.ts';
import { decideLocation } from './decide.ts';
import type { LocationEvent } from './events.ts';
import { evolveLocation } from './evolve.ts';
import { initialLocationState, type LocationState } from './state.ts';

export const locationDecider: Decider<LocationCommand, LocationEvent, LocationState> = {
  initialState: initialLocationState,
  decide: decideLocation,
  evolve: evolveLocation,
};
