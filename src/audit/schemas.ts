import type { QueryOf } from '../http/route.ts';
import { cursorParam, limitParam } from '../http/schemas.ts';

/** An event as the API shows it (event-view.ts). */
export const eventSchema = {
  type: 'object',
  required: ['id', 'type', 'stream', 'revision', 'position', 'occurredAt', 'data', 'metadata'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string' },
    stream: {
      type: 'object',
      required: ['category', 'id'],
      properties: { category: { type: 'string' }, id: { type: 'string' } },
    },
    revision: { type: 'integer', minimum: 1 },
    position: { type: 'string' },
    occurredAt: { type: 'string', format: 'date-time' },
    data: {},
    metadata: {
      type: 'object',
      required: ['actor', 'correlationId', 'causationId', 'schemaVersion'],
      properties: {
        actor: { type: 'string' },
        correlationId: { type: 'string' },
        causationId: { type: ['string', 'null'] },
        idempotencyKey: { type: 'string' },
        schemaVersion: {
          type: 'integer',
          minimum: 1,
          description: 'The version of the shape of `data` (GET /v1/event-types lists the current ones)',
        },
      },
    },
  },
} as const;

export const eventList = {
  type: 'object',
  required: ['data', 'nextCursor'],
  properties: { data: { type: 'array', items: eventSchema }, nextCursor: { type: ['string', 'null'] } },
} as const;

/** GET /v1/event-types: every event type with its current version and the JSON Schema of its data. */
export const eventTypeList = {
  type: 'object',
  required: ['data', 'nextCursor'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'version', 'schema'],
        properties: {
          type: { type: 'string' },
          version: { type: 'integer', minimum: 1 },
          schema: { type: 'object', description: 'A JSON Schema of the event data' },
        },
      },
    },
    nextCursor: { type: 'null' },
  },
} as const;

/** An entity's history: a page of its events in stream order, oldest first. */
export const historyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: limitParam, cursor: cursorParam },
} as const;
export type HistoryQuery = QueryOf<typeof historyQuery>;

export const feedQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'string', pattern: '^\\d{1,20}-\\d{1,20}$' },
    types: { type: 'string', maxLength: 1000, pattern: '^[A-Za-z0-9_.,]+$' },
    limit: limitParam,
  },
} as const;
export type FeedQuery = QueryOf<typeof feedQuery>;

export const asOfQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    asOf: { type: 'string', format: 'date-time' },
    version: { type: 'integer', minimum: 1 },
  },
} as const;
/** ?asOf=<time> or ?version=<n>: an entity as it was (time travel). */
export type AsOf = QueryOf<typeof asOfQuery>;
