import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

// JSON Schema building blocks for event data. An event's data is written once, as a schema: a
// plain value typed as precisely as `as const` types it, so ajv validates with it, the event
// catalogue publishes it, and json-schema-to-ts derives the TypeScript type from it (FromSchema).
// The schemas describe the current shape of each event (after upcasting and decryption).

export const str = { type: 'string' } as const;
export const strOrNull = { type: ['string', 'null'] } as const;
export const int = { type: 'integer' } as const;
/** An RFC 3339 timestamp. */
export const dateTime = { type: 'string', format: 'date-time' } as const;

/** One of a fixed list of strings. */
export const stringEnum = <const V extends readonly string[]>(values: V) => ({ type: 'string', enum: values }) as const;

export const arrayOf = <const I>(items: I) => ({ type: 'array', items }) as const;

type Properties = Record<string, unknown>;

/** An object schema that admits no other properties; `required` lists the properties it must have. */
export type ClosedObject<P extends Properties, Required extends string> = {
  readonly type: 'object';
  readonly additionalProperties: false;
  readonly required: readonly Required[];
  readonly properties: P;
};

/** A closed object: every property is required unless `required` names the ones that are. */
export function object<const P extends Properties>(properties: P): ClosedObject<P, keyof P & string>;
export function object<const P extends Properties, const R extends readonly (keyof P & string)[]>(
  properties: P,
  required: R,
): ClosedObject<P, R[number]>;
export function object(properties: Properties, required: readonly string[] = Object.keys(properties)) {
  return { type: 'object', additionalProperties: false, required, properties };
}

/** The events of an aggregate, by type, from its map `{ [eventType]: dataSchema }`. */
export type EventsOf<Schemas extends Record<string, JSONSchema>> = {
  [Type in keyof Schemas & string]: { type: Type; data: FromSchema<Schemas[Type]> };
};
