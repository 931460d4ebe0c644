import type { FromSchema } from 'json-schema-to-ts';
import { object, str } from './schema.ts';

export const addressSchema = object(
  {
    name: str,
    line1: str,
    line2: str,
    city: str,
    region: str,
    postalCode: str,
    /** ISO 3166-1 alpha-2, upper case. */
    country: str,
  },
  ['line1', 'city', 'country'],
);

export type Address = FromSchema<typeof addressSchema>;
