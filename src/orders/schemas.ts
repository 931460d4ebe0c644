import type { BodyOf, QueryOf } from '../http/route.ts';
import { addressSchema, addressViewSchema, cursorParam, idParams, limitParam, listOf, text } from '../http/schemas.ts';
import { eventSchema } from '../audit/schemas.ts';
import { SKU_PATTERN } from '../inventory/schemas.ts';

const line = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'quantity', 'unitPrice'],
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN },
    quantity: { type: 'integer', minimum: 1, maximum: 100_000 },
    unitPrice: { type: 'integer', minimum: 0, maximum: 100_000_000_000, description: 'Minor units of the currency' },
  },
} as const;
const lines = { type: 'array', minItems: 1, maxItems: 200, items: line } as const;
const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217' } as const;
const notes = { anyOf: [text(2000, 0), { type: 'null' }] } as const;

export const createOrderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'currency', 'lines', 'shippingAddress'],
  properties: {
    customerId: { type: 'string', pattern: '^cus_[0-9a-z]{26}$' },
    currency,
    lines,
    shippingAddress: addressSchema,
    externalId: text(128),
    notes,
  },
  examples: [
    {
      customerId: 'cus_01jdx8m3k2n4p5q6r7s8t9v0wx',
      currency: 'EUR',
      lines: [{ sku: 'TSHIRT-RED-M', quantity: 2, unitPrice: 1999 }],
      shippingAddress: { name: 'Ada Lovelace', line1: "12 St James's Square", city: 'London', country: 'GB' },
      externalId: 'shop-100234',
    },
  ],
} as const;

export const patchOrderBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { lines, shippingAddress: addressSchema, notes },
} as const;
export type PatchOrderBody = BodyOf<typeof patchOrderBody>;

export const cancelOrderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: text(500) },
} as const;

export const orderIdParams = idParams('ord');

const orderStatus = {
  enum: ['pending', 'confirmed', 'backordered', 'partially_shipped', 'shipped', 'delivered', 'cancelled'],
} as const;

export const orderSchema = {
  type: 'object',
  required: [
    'id',
    'status',
    'customerId',
    'currency',
    'lines',
    'totals',
    'shippingAddress',
    'allowedActions',
    'version',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    id: { type: 'string' },
    status: orderStatus,
    customerId: { type: 'string' },
    currency: { type: 'string' },
    externalId: { type: ['string', 'null'] },
    notes: { type: ['string', 'null'] },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sku: { type: 'string' },
          quantity: { type: 'integer' },
          unitPrice: { type: 'integer' },
          lineTotal: { type: 'integer' },
          reserved: { type: 'integer' },
          shipped: { type: 'integer' },
        },
      },
    },
    totals: {
      type: 'object',
      properties: { subtotal: { type: 'integer' }, total: { type: 'integer' }, quantity: { type: 'integer' } },
    },
    shippingAddress: addressViewSchema,
    allowedActions: { type: 'array', items: { enum: ['update', 'cancel', 'ship'] } },
    version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  // The example of docs/api.md (test/docs/openapi-examples.int.test.ts keeps the two equal).
  examples: [
    {
      id: 'ord_01jdx9a4b5c6d7e8f9g0h1j2k3',
      status: 'confirmed',
      customerId: 'cus_01jdx8m3k2n4p5q6r7s8t9v0wx',
      currency: 'EUR',
      externalId: 'shop-100234',
      notes: null,
      lines: [{ sku: 'TSHIRT-RED-M', quantity: 2, unitPrice: 1999, lineTotal: 3998, reserved: 2, shipped: 0 }],
      totals: { subtotal: 3998, total: 3998, quantity: 2 },
      shippingAddress: { name: 'Ada Lovelace', line1: "12 St James's Square", city: 'London', country: 'GB' },
      allowedActions: ['update', 'cancel', 'ship'],
      version: 3,
      createdAt: '2026-11-29T01:10:00.000Z',
      updatedAt: '2026-11-29T01:10:00.120Z',
    },
  ],
} as const;

export const listOrdersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: orderStatus,
    customerId: { type: 'string', maxLength: 64 },
    externalId: { type: 'string', maxLength: 128 },
    createdFrom: { type: 'string', format: 'date-time' },
    createdTo: { type: 'string', format: 'date-time' },
    limit: limitParam,
    cursor: cursorParam,
  },
} as const;
export type ListOrdersQuery = QueryOf<typeof listOrdersQuery>;

export const diffOrderQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['from'],
  properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 1 } },
} as const;

export const orderList = listOf(orderSchema);

/** GET /v1/orders/:id/diff: the field changes between two versions and the events in between. */
export const orderDiffSchema = {
  type: 'object',
  required: ['from', 'to', 'changes', 'events'],
  properties: {
    from: { type: 'integer', minimum: 0 },
    to: { type: 'integer', minimum: 0 },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'from', 'to'],
        properties: {
          path: { type: 'string', description: 'A JSON Pointer into the order' },
          from: { description: 'The value at `from` (null when absent)' },
          to: { description: 'The value at `to` (null when absent)' },
        },
      },
    },
    events: { type: 'array', items: eventSchema },
  },
} as const;
