// A JSON Schema for the current version of every event type in the log (the shape after
// upcasting and decryption). Auditors and consumers of the feed can rely on them; tests check that
// every event the system writes conforms. In storage, personal data (a customer's `pii`, an order's
// `shippingAddress`) is a `pii.v1` envelope instead: see src/pii/envelope.ts.
// The schemas are the domain's own definitions of its events (domain/<aggregate>/events.ts, where
// the TypeScript types are derived from them), gathered here in catalogue order.
import { customerEventSchemas } from '../../domain/customers/events.ts';
import { inventoryEventSchemas } from '../../domain/inventory/events.ts';
import { locationEventSchemas } from '../../domain/locations/events.ts';
import { orderEventSchemas } from '../../domain/orders/events.ts';
import { returnEventSchemas } from '../../domain/returns/events.ts';
import { uniqueClaimEventSchemas } from '../../domain/shared/unique-claim.ts';
import { shipmentEventSchemas } from '../../domain/shipments/events.ts';
import { currentVersion } from '../../domain/upcasters.ts';
import { createAjv } from '../schemas/ajv.ts';

type Schema = Record<string, unknown>;

export const EVENT_SCHEMAS: Readonly<Record<string, Schema>> = {
  ...customerEventSchemas,
  ...uniqueClaimEventSchemas,
  ...orderEventSchemas,
  ...inventoryEventSchemas,
  ...locationEventSchemas,
  ...shipmentEventSchemas,
  ...returnEventSchemas,
};

const ajv = createAjv({ coerceTypes: false });
const validators = new Map(Object.entries(EVENT_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]));

/** Problems of an event's data against its type's schema ([] when it conforms). */
export function eventSchemaErrors(type: string, data: unknown): string[] {
  const validate = validators.get(type);
  if (!validate) return [`no schema for event type ${type}`];
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${type}${e.instancePath} ${e.message}${e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''}`,
  );
}

/** The catalogue: every event type with its version and schema. */
export function eventCatalogue() {
  return Object.entries(EVENT_SCHEMAS).map(([type, schema]) => ({ type, version: currentVersion(type), schema }));
}
