import type { Address } from '../../domain/shared/address.ts';
import type { DefinedLocation } from '../../domain/locations/state.ts';

/** A location as the API shows it. */
export interface LocationView {
  code: string;
  name: string;
  address: Address | null;
  priority: number;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const locationView = (l: DefinedLocation, version: number): LocationView => ({
  code: l.code,
  name: l.name,
  address: l.address,
  priority: l.priority,
  active: l.active,
  version,
  createdAt: l.definedAt,
  updatedAt: l.updatedAt,
});
