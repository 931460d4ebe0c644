import type { Address } from '../shared/address.ts';

/** Defines the location, or changes it to these settings (an upsert). */
export type DefineLocation = {
  type: 'DefineLocation';
  data: { code: string; name: string; address: Address | null; priority: number; active: boolean; now: string };
};

export type LocationCommand = DefineLocation;
