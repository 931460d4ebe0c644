import { REDACTED } from '../../domain/customers/redacted.ts';
import type { ObjectSchema } from './route.ts';

// Schemas shared by several resources. Everything is strict: unknown properties are refused.
// The helpers return literal types (`as const`, const type parameters), so the request types
// derived from the schemas that use them (json-schema-to-ts) stay precise.

export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  // The example of docs/api.md (test/docs/openapi-examples.int.test.ts keeps the two equal).
  examples: [
    {
      type: 'https://docs.nh-logistics.example/oms/problems/validation_failed',
      title: 'Bad Request',
      status: 400,
      detail: 'the request does not match the schema',
      code: 'validation_failed',
      instance: '/v1/orders',
      errors: [{ path: '/lines/0/quantity', message: 'must be >= 1' }],
    },
  ],
} as const;

/**
 * Printable text without control characters (newlines allowed where noted). The lengths stay
 * literal in the type (`1 as Min`: Min is 1 exactly when the argument is left out).
 */
export const text = <const Max extends number, const Min extends number = 1>(maxLength: Max, minLength = 1 as Min) =>
  ({ type: 'string', minLength, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }) as const;

export const addressSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['line1', 'city', 'country'],
  properties: {
    name: text(200),
    line1: text(200),
    line2: text(200),
    city: text(100),
    region: text(100),
    postalCode: text(20),
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
  },
} as const;

/**
 * An address as responses show it: a request's address, or once the customer is forgotten the
 * redacted one (`{ line1, city, country: "[redacted]" }`). Requests keep `addressSchema`.
 */
export const addressViewSchema = {
  ...addressSchema,
  properties: {
    ...addressSchema.properties,
    country: {
      anyOf: [addressSchema.properties.country, { const: REDACTED }],
      description: `ISO 3166-1 alpha-2, or "${REDACTED}" once the customer is forgotten`,
    },
  },
} as const;

export const limitParam = { type: 'integer', minimum: 1, maximum: 200, default: 50 } as const;
export const cursorParam = { type: 'string', maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' } as const;

export const idParams = <const Prefix extends string>(prefix: Prefix) =>
  ({
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', pattern: `^${prefix}_[0-9a-z]{26}$` } },
  }) as const;

/** The path parameters of a resource addressed by one prefixed id (`:id`). */
export type IdParams = ReturnType<typeof idParams<string>>;

export const listOf = <const Item extends ObjectSchema>(item: Item) =>
  ({
    type: 'object',
    required: ['data', 'nextCursor'],
    properties: { data: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  }) as const;
