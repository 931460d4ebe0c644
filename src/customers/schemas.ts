import type { QueryOf } from '../http/route.ts';
import { addressSchema, cursorParam, idParams, limitParam, listOf, text } from '../http/schemas.ts';

const email = { type: 'string', format: 'email', maxLength: 254 } as const;
const phone = { type: 'string', pattern: '^\\+?[0-9 ()./-]{3,32}$' } as const;
const addresses = { type: 'array', maxItems: 20, items: addressSchema } as const;

export const createCustomerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'name'],
  properties: { email, name: text(200), phone, externalId: text(128), addresses },
  examples: [
    {
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      externalId: 'crm-4711',
      addresses: [{ line1: "12 St James's Square", city: 'London', country: 'GB' }],
    },
  ],
} as const;

export const patchCustomerBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { email, name: text(200), phone: { anyOf: [phone, { type: 'null' }] }, addresses },
} as const;

export const customerSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'phone', 'externalId', 'addresses', 'version', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    phone: { type: ['string', 'null'] },
    externalId: { type: ['string', 'null'] },
    addresses: { type: 'array', items: addressSchema },
    version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  // The example of docs/api.md (test/docs/openapi-examples.int.test.ts keeps the two equal).
  examples: [
    {
      id: 'cus_01jdx8m3k2n4p5q6r7s8t9v0wx',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      phone: null,
      externalId: 'crm-4711',
      addresses: [{ line1: "12 St James's Square", city: 'London', country: 'GB' }],
      version: 1,
      createdAt: '2026-11-29T01:10:00.000Z',
      updatedAt: '2026-11-29T01:10:00.000Z',
    },
  ],
} as const;

export const customerIdParams = idParams('cus');

export const listCustomersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { email: { type: 'string', maxLength: 254 }, limit: limitParam, cursor: cursorParam },
} as const;
export type ListCustomersQuery = QueryOf<typeof listCustomersQuery>;

export const customerList = listOf(customerSchema);
