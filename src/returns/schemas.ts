import { CONDITIONS, RETURN_REASONS } from '../../domain/returns/events.ts';
import type { BodyOf, QueryOf } from '../http/route.ts';
import { cursorParam, idParams, limitParam, listOf, text } from '../http/schemas.ts';
import { LOCATION_PATTERN, SKU_PATTERN } from '../inventory/schemas.ts';

const sku = { type: 'string', pattern: SKU_PATTERN } as const;
const quantity = { type: 'integer', minimum: 1, maximum: 100_000 } as const;

export const requestReturnBody = {
  type: 'object',
  additionalProperties: false,
  required: ['lines'],
  properties: {
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 200,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'quantity', 'reason'],
        properties: { sku, quantity, reason: { enum: RETURN_REASONS } },
      },
    },
    note: text(2000),
  },
} as const;
export type RequestReturnBody = BodyOf<typeof requestReturnBody>;

export const rejectReturnBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: text(500) },
} as const;

export const receiveReturnBody = {
  type: 'object',
  additionalProperties: false,
  required: ['lines'],
  properties: {
    location: { type: 'string', pattern: LOCATION_PATTERN },
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 200,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'quantity', 'condition'],
        properties: { sku, quantity, condition: { enum: CONDITIONS } },
      },
    },
  },
} as const;

export const refundBody = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'reference'],
  properties: {
    /** Minor units of the order's currency. */
    amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    reference: text(128),
  },
} as const;

const returnStatus = { enum: ['requested', 'approved', 'rejected', 'partially_received', 'received'] } as const;
const dateTimeOrNull = { type: ['string', 'null'], format: 'date-time' } as const;

export const returnSchema = {
  type: 'object',
  required: ['id', 'orderId', 'status', 'currency', 'lines', 'refunds', 'totals', 'version', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    orderId: { type: 'string' },
    status: returnStatus,
    currency: { type: 'string' },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'quantity', 'reason', 'unitPrice', 'received', 'resellable', 'damaged'],
        properties: {
          sku: { type: 'string' },
          quantity: { type: 'integer' },
          reason: { enum: RETURN_REASONS },
          unitPrice: { type: 'integer' },
          received: { type: 'integer' },
          resellable: { type: 'integer' },
          damaged: { type: 'integer' },
        },
      },
    },
    note: { type: ['string', 'null'] },
    rejectionReason: { type: ['string', 'null'] },
    refunds: {
      type: 'array',
      items: {
        type: 'object',
        required: ['refundId', 'amount', 'reference', 'recordedAt'],
        properties: {
          refundId: { type: 'string' },
          amount: { type: 'integer' },
          reference: { type: 'string' },
          recordedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    totals: {
      type: 'object',
      required: ['value', 'refunded'],
      properties: { value: { type: 'integer' }, refunded: { type: 'integer' } },
    },
    requestedAt: { type: 'string', format: 'date-time' },
    approvedAt: dateTimeOrNull,
    rejectedAt: dateTimeOrNull,
    receivedAt: dateTimeOrNull,
    version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const returnIdParams = idParams('ret');

export const listReturnsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', maxLength: 64 },
    status: returnStatus,
    limit: limitParam,
    cursor: cursorParam,
  },
} as const;
export type ListReturnsQuery = QueryOf<typeof listReturnsQuery>;

export const orderReturnsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: limitParam, cursor: cursorParam },
} as const;

export const returnList = listOf(returnSchema);
