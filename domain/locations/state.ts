import type { Address } from '../shared/address.ts';

export interface DefinedLocation {
  status: 'defined';
  code: string;
  name: string;
  address: Address | null;
  priority: number;
  active: boolean;
  definedAt: string;
  updatedAt: string;
}

export type LocationState = { status: 'none' } | DefinedLocation;

export const initialLocationState = (): LocationState => ({ status: 'none' });

/** Priorities run from 1 (tried first) to this. */
export const MAX_PRIORITY = 1_000_000;
