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
  enum: [
    'pending',
    'confirmed',
    'backordered',
    'partially_shipped',
    'shipped',
    'delivered',
    'partially_returned',
    'returned',
    'cancelled',
  ],
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
