import type { Decider } from '../shared/decider.ts';
import type { InventoryCommand } from './commands.ts';
import { decideInventory } from './decide.ts';
import type { InventoryEvent } from './events.ts';
import { evolveInventory } from './evolve.ts';
import { initialInventoryState, type InventoryState } from './state.ts';

/** One instance per SKU × location (one stream each). */
export const inventoryDecider: Decider<InventoryCommand, InventoryEvent, InventoryState> = {
  initialState: initialInventoryState,
  decide: decideInventory,
  evolve: evolveInventory,
};

export { levelOf, grantableBackorders, reservedFor, unitsOrderMayTake } from './level.ts';
