import type { LocationCommand } from './commands.ts';
import { invalidLocationName, invalidLocationPriority, locationCodeMismatch } from './errors.ts';
import type { LocationChanged, LocationEvent } from './events.ts';
import { MAX_PRIORITY, type LocationState } from './state.ts';

import type { Address } from '../shared/address.ts';

const FIELDS = ['name', 'line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const;
/** Field by field: a stored address may come back with its keys in another order (jsonb). */
const sameAddress = (a: Address | null, b: Address | null) =>
  a === null || b === null ? a === b : FIELDS.every((f) => a[f] === b[f]);

export function decideLocation(command: LocationCommand, state: LocationState): LocationEvent[] {
  const { code, name, address, priority, active, now } = command.data;
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) throw invalidLocationPriority(priority);
  if (name.trim() === '') throw invalidLocationName();
  if (state.status === 'none')
    return [{ type: 'LocationDefined', data: { code, name, address, priority, active, definedAt: now } }];
  if (state.code !== code) throw locationCodeMismatch(state.code, code);
  const changes: LocationChanged['data']['changes'] = {};
  if (name !== state.name) changes.name = name;
  if (!sameAddress(address, state.address)) changes.address = address;
  if (priority !== state.priority) changes.priority = priority;
  if (active !== state.active) changes.active = active;
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'LocationChanged', data: { code, changes, changedAt: now } }];
}
