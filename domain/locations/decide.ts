import type { LocationCommand } from './commands.ts';
import { invalidLocationName, invalidLocationPriority, locationCodeMismatch } from './errors.ts';
import type { LocationChanged, LocationEvent } from './events.ts';
import { MAX_PRIORITY, type LocationState } from './state.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function decideLocation(command: LocationCommand, state: LocationState): LocationEvent[] {
  const { code, name, address, priority, active, now } = command.data;
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) throw invalidLocationPriority(priority);
  if (name.trim() === '') throw invalidLocationName();
  if (state.status === 'none')
    return [{ type: 'LocationDefined', data: { code, name, address, priority, active, definedAt: now } }];
  if (state.code !== code) throw locationCodeMismatch(state.code, code);
  const changes: LocationChanged['data']['changes'] = {};
  if (name !== state.name) changes.name = name;
  if (!same(address, state.address)) changes.address = address;
  if (priority !== state.priority) changes.priority = priority;
  if (active !== state.active) changes.active = active;
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'LocationChanged', data: { code, changes, changedAt: now } }];
}
