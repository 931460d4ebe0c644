import type { BodyOf, QueryOf } from '../http/route.ts';
import { addressSchema, addressViewSchema, cursorParam, idParams, limitParam, listOf, text } from '../http/schemas.ts';
import { eventSchema } from '../audit/schemas.ts';
import { LOCATION_PATTERN, SKU_PATTERN } from '../inventory/schemas.ts';
import { HOLD_REASONS, PAYMENT_TYPES } from '../../domain/orders/events.ts';
import { MAX_AMOUNT } from '../../domain/shared/limits.ts';

/** Minor units of the order's currency, ≥ 0 (the domain bounds sums: 422 amount_out_of_range). */
const amount = (description: string, minimum = 0) =>
  ({ type: 'integer', minimum, maximum: MAX_AMOUNT, description }) as const;

const line = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'quantity', 'unitPrice'],
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN },
    quantity: { type: 'integer', minimum: 1, maximum: 100_000 },
    unitPrice: { type: 'integer', minimum: 0, maximum: 100_000_000_000, description: 'Minor units of the currency' },
    discount: amount(
      'For the whole line; at most quantity × unitPrice (else 422 discount_exceeds_line_total). Default 0',
    ),
    tax: amount('For the whole line. Default 0'),
  },
} as const;
const lines = { type: 'array', minItems: 1, maxItems: 200, items: line } as const;
const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217' } as const;
const notes = { anyOf: [text(2000, 0), { type: 'null' }] } as const;
const shipping = {
  type: 'object',
  additionalProperties: false,
  required: ['amount'],
  description: 'The shipping charge of the whole order',
  properties: {
    amount: { type: 'integer', minimum: 0, maximum: 100_000_000_000, description: 'Minor units of the currency' },
    method: { anyOf: [text(100), { type: 'null' }], description: 'How it ships (free text, e.g. "express")' },
  },
} as const;

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
    shipping,
    preferredLocations: {
      type: 'array',
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', pattern: LOCATION_PATTERN },
      description:
        'Location codes to allocate from first, in this order (inactive ones are skipped); then the usual order',
    },
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
  properties: { lines, shippingAddress: addressSchema, notes, shipping },
} as const;
export type PatchOrderBody = BodyOf<typeof patchOrderBody>;

export const cancelOrderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    reason: text(500),
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 200,
      description: 'Cancel only these unshipped units (one entry per SKU); without it every unshipped unit',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'quantity'],
        properties: {
          sku: { type: 'string', pattern: SKU_PATTERN },
          quantity: { type: 'integer', minimum: 1, maximum: 100_000 },
        },
      },
    },
  },
} as const;
export type CancelOrderBody = BodyOf<typeof cancelOrderBody>;

export const orderIdParams = idParams('ord');

const paymentStatus = {
  enum: ['unpaid', 'authorized', 'paid', 'partially_refunded', 'refunded', 'voided'],
  description:
    'From what the payment provider reported: refunds first, then captures (paid once they cover the total), then authorizations not voided',
} as const;

const paymentRecordSchema = {
  type: 'object',
  required: ['id', 'type', 'amount', 'reference', 'recordedAt'],
  properties: {
    id: { type: 'string' },
    type: { enum: PAYMENT_TYPES },
    amount: { type: 'integer' },
    reference: { type: 'string' },
    recordedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const refundRecordSchema = {
  type: 'object',
  required: ['id', 'returnId', 'amount', 'reference', 'recordedAt'],
  properties: {
    id: { type: 'string' },
    returnId: { type: ['string', 'null'] },
    amount: { type: 'integer' },
    reference: { type: 'string' },
    recordedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const holdRecordSchema = {
  type: 'object',
  required: ['id', 'reason', 'note', 'status', 'placedAt', 'releasedAt'],
  properties: {
    id: { type: 'string' },
    reason: { enum: HOLD_REASONS },
    note: { type: ['string', 'null'] },
    status: { enum: ['open', 'released'] },
    placedAt: { type: 'string', format: 'date-time' },
    releasedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

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
    'shipping',
    'shippingAddress',
    'paymentStatus',
    'payments',
    'refunds',
    'holds',
    'onHold',
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
        // orderView fills every field of every line (0 where nothing happened yet).
        required: ['sku', 'quantity', 'unitPrice', 'lineTotal', 'discount', 'tax', 'reserved', 'shipped', 'cancelled'],
        properties: {
          sku: { type: 'string' },
          quantity: { type: 'integer' },
          unitPrice: { type: 'integer' },
          lineTotal: { type: 'integer', description: 'quantity × unitPrice (before discount and tax)' },
          discount: { type: 'integer' },
          tax: { type: 'integer' },
          reserved: { type: 'integer' },
          shipped: { type: 'integer' },
          cancelled: { type: 'integer', description: 'Units cancelled (no longer due)' },
        },
      },
    },
    totals: {
      type: 'object',
      required: ['subtotal', 'discount', 'tax', 'shipping', 'total', 'refunded', 'quantity'],
      description: 'Minor units, exact: total = subtotal − discount + tax + shipping',
      properties: {
        subtotal: { type: 'integer', description: 'Σ quantity × unitPrice' },
        discount: { type: 'integer' },
        tax: { type: 'integer' },
        shipping: { type: 'integer' },
        total: { type: 'integer' },
        refunded: { type: 'integer', description: 'Σ refunds recorded' },
        quantity: { type: 'integer', description: 'Σ units' },
      },
    },
    shipping: {
      type: 'object',
      required: ['amount', 'method'],
      properties: { amount: { type: 'integer' }, method: { type: ['string', 'null'] } },
    },
    shippingAddress: addressViewSchema,
    paymentStatus: paymentStatus,
    payments: { type: 'array', items: paymentRecordSchema },
    refunds: { type: 'array', items: refundRecordSchema },
    holds: { type: 'array', items: holdRecordSchema },
    onHold: { type: 'boolean', description: 'true while any hold is open: no shipment can be created' },
    allowedActions: { type: 'array', items: { enum: ['update', 'cancel', 'ship'] } },
    preferredLocations: { type: 'array', items: { type: 'string' }, description: 'Tried first by allocation' },
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
      lines: [
        {
          sku: 'TSHIRT-RED-M',
          quantity: 2,
          unitPrice: 1999,
          lineTotal: 3998,
          discount: 400,
          tax: 720,
          reserved: 2,
          shipped: 0,
          cancelled: 0,
        },
      ],
      totals: { subtotal: 3998, discount: 400, tax: 720, shipping: 495, total: 4813, refunded: 0, quantity: 2 },
      shipping: { amount: 495, method: 'express' },
      shippingAddress: { name: 'Ada Lovelace', line1: "12 St James's Square", city: 'London', country: 'GB' },
      paymentStatus: 'paid',
      payments: [
        {
          id: 'pay_01jdx9b7m2n3p4q5r6s7t8v9wx',
          type: 'authorized',
          amount: 4813,
          reference: 'pi_3QK8aB',
          recordedAt: '2026-11-29T01:10:01.000Z',
        },
        {
          id: 'pay_01jdx9c2m3n4p5q6r7s8t9v0wx',
          type: 'captured',
          amount: 4813,
          reference: 'ch_3QK8aC',
          recordedAt: '2026-11-29T01:10:05.000Z',
        },
      ],
      refunds: [],
      holds: [],
      onHold: false,
      allowedActions: ['update', 'cancel', 'ship'],
      preferredLocations: [],
      version: 5,
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
    sku: {
      type: 'string',
      pattern: SKU_PATTERN,
      description: 'Only orders with a line of this SKU (exact, case-sensitive)',
    },
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

export const recordPaymentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'amount', 'reference'],
  properties: {
    type: { enum: PAYMENT_TYPES, description: 'What the payment provider reported' },
    amount: amount('Minor units of the order currency', 1),
    reference: {
      ...text(256),
      description: "The provider's reference for this transaction (never card data: a card number is refused)",
    },
  },
} as const;

/** POST /v1/orders/:id/payments: the payment recorded and the order's payment status after it. */
export const paymentSchema = {
  ...paymentRecordSchema,
  required: [...paymentRecordSchema.required, 'orderId', 'paymentStatus', 'totals'],
  properties: {
    ...paymentRecordSchema.properties,
    orderId: { type: 'string' },
    paymentStatus,
    totals: orderSchema.properties.totals,
  },
} as const;

export const placeHoldBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { enum: HOLD_REASONS }, note: notes },
} as const;

export const holdParams = {
  type: 'object',
  required: ['id', 'holdId'],
  properties: {
    id: { type: 'string', pattern: '^ord_[0-9a-z]{26}$' },
    holdId: { type: 'string', pattern: '^hld_[0-9a-z]{26}$' },
  },
} as const;

/** A hold as the hold routes answer it. */
export const holdSchema = {
  ...holdRecordSchema,
  required: [...holdRecordSchema.required, 'orderId', 'onHold'],
  properties: {
    ...holdRecordSchema.properties,
    orderId: { type: 'string' },
    onHold: { type: 'boolean', description: "The order's onHold after this change" },
  },
} as const;
