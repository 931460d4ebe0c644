import type { BodyOf, QueryOf } from '../http/route.ts';
import { cursorParam, idParams, limitParam, listOf, text } from '../http/schemas.ts';
import { WEBHOOK_EVENT_TYPES } from './catalogue.ts';

export const createEndpointBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: {
    url: { type: 'string', format: 'uri', maxLength: 2048, pattern: '^https?://' },
    events: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      items: { enum: [...WEBHOOK_EVENT_TYPES, '*'] },
    },
    description: text(500),
  },
} as const;
export type CreateEndpointBody = BodyOf<typeof createEndpointBody>;

export const endpointSchema = {
  type: 'object',
  required: ['id', 'url', 'events', 'createdAt'],
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    description: { type: ['string', 'null'] },
    secret: {
      type: 'string',
      description: 'Only in the create response: whsec_ + base64 of 32 bytes (Standard Webhooks format)',
    },
    createdAt: { type: 'string', format: 'date-time' },
    deletedAt: {
      type: 'string',
      format: 'date-time',
      description: 'Only on a deleted endpoint (listed with includeDeleted=true)',
    },
  },
} as const;

export const endpointIdParams = idParams('whk');
export const deliveryParams = {
  type: 'object',
  required: ['id', 'deliveryId'],
  properties: {
    id: { type: 'string', pattern: '^whk_[0-9a-z]{26}$' },
    deliveryId: { type: 'string', pattern: '^dlv_[0-9a-z]{26}$' },
  },
} as const;
/** Both webhook lists page newest first (creation time, then id). */
export const webhookListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: limitParam, cursor: cursorParam },
} as const;
export type WebhookListQuery = QueryOf<typeof webhookListQuery>;
/** The endpoint list can also show deleted endpoints (their delivery logs stay readable). */
export const endpointListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: limitParam,
    cursor: cursorParam,
    includeDeleted: { type: 'boolean', default: false, description: 'Also list deleted endpoints' },
  },
} as const;
export type EndpointListQuery = QueryOf<typeof endpointListQuery>;

export const deliverySchema = {
  type: 'object',
  required: ['id', 'eventId', 'type', 'status', 'attempts', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    eventId: { type: 'string' },
    type: { type: 'string' },
    status: { enum: ['pending', 'succeeded', 'failed'] },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          attempt: { type: 'integer' },
          statusCode: { type: ['integer', 'null'] },
          latencyMs: { type: 'integer' },
          error: { type: ['string', 'null'] },
          at: { type: 'string' },
        },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const endpointList = listOf(endpointSchema);

/** POST …/redeliver: the delivery is queued again, under the same id. */
export const redeliveryQueued = {
  type: 'object',
  required: ['id', 'status'],
  properties: { id: { type: 'string' }, status: { const: 'pending' } },
} as const;
export const deliveryList = listOf(deliverySchema);
