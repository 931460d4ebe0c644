import { MAX_PRIORITY } from '../../domain/locations/state.ts';
import type { QueryOf } from '../http/route.ts';
import { addressSchema, cursorParam, limitParam, listOf, text } from '../http/schemas.ts';
import { LOCATION_PATTERN } from '../inventory/schemas.ts';

const code = {
  type: 'string',
  pattern: LOCATION_PATTERN,
  description: 'Location code: letters, digits, "_", "-" (≤ 32); case-insensitive, answered in lower case',
} as const;

export const locationParams = { type: 'object', required: ['code'], properties: { code } } as const;

export const putLocationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'priority', 'active'],
  properties: {
    name: text(200),
    address: { anyOf: [addressSchema, { type: 'null' }] },
    priority: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_PRIORITY,
      description: 'Allocation order: 1 is tried first; ties by code',
    },
    active: { type: 'boolean', description: 'An inactive location is never allocated from' },
  },
} as const;

export const locationSchema = {
  type: 'object',
  required: ['code', 'name', 'address', 'priority', 'active', 'version', 'createdAt', 'updatedAt'],
  properties: {
    code: { type: 'string' },
    name: { type: 'string' },
    address: { anyOf: [addressSchema, { type: 'null' }] },
    priority: { type: 'integer' },
    active: { type: 'boolean' },
    version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const listLocationsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { active: { type: 'boolean' }, limit: limitParam, cursor: cursorParam },
} as const;
export type ListLocationsQuery = QueryOf<typeof listLocationsQuery>;

export const locationList = listOf(locationSchema);
