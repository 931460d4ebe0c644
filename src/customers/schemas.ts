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
} as const;

export const customerIdParams = idParams('cus');

export const listCustomersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { email: { type: 'string', maxLength: 254 }, limit: limitParam, cursor: cursorParam },
} as const;
export type ListCustomersQuery = QueryOf<typeof listCustomersQuery>;

export const customerList = listOf(customerSchema);
