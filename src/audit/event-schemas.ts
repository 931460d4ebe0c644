// A JSON Schema for the current version of every event type in the log (the shape after
// upcasting and decryption). Auditors and consumers of the feed can rely on them; tests check that
// every event the system writes conforms. In storage, personal data (a customer's `pii`, an order's
// `shippingAddress`) is a `pii.v1` envelope instead: see src/pii/envelope.ts.
import { createAjv } from '../schemas/ajv.ts';
import { currentVersion } from '../../domain/upcasters.ts';

type Schema = Record<string, unknown>;

const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const obj = (properties: Record<string, unknown>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});
const address = obj({ name: str, line1: str, line2: str, city: str, region: str, postalCode: str, country: str }, [
  'line1',
  'city',
  'country',
]);
const orderLine = obj({ sku: str, quantity: int, unitPrice: int });
const skuQty = obj({ sku: str, quantity: int });
const release = obj({ sku: str, location: str, quantity: int });
const pii = obj({ email: str, name: str, phone: strOrNull, addresses: { type: 'array', items: address } });
const partialPii = { ...pii, required: [] };
const level = {
  sku: str,
  location: str,
  occurredAt: time,
  onHandDelta: int,
  reservedDelta: int,
  onHand: int,
  reserved: int,
};
const orderMove = { orderId: str, quantity: int, orderReserved: int };
const tracking = {
  shipmentId: str,
  orderId: str,
  status: str,
  occurredAt: time,
  location: strOrNull,
  description: strOrNull,
  carrierCode: strOrNull,
  recordedAt: time,
};
const claim = { ownerId: str };

export const EVENT_SCHEMAS: Record<string, Schema> = {
  CustomerRegistered: obj({ customerId: str, externalId: strOrNull, pii, registeredAt: time }),
  CustomerUpdated: obj({ customerId: str, pii: partialPii, updatedAt: time }),
  CustomerForgotten: obj({ customerId: str, forgottenAt: time }),
  UniqueValueClaimed: obj({ ...claim, claimedAt: time }),
  UniqueValueReleased: obj({ ...claim, releasedAt: time }),

  OrderPlaced: obj({
    orderId: str,
    customerId: str,
    currency: str,
    lines: { type: 'array', items: orderLine },
    shippingAddress: address,
    externalId: strOrNull,
    notes: strOrNull,
    placedAt: time,
  }),
  OrderAllocationRecorded: obj({
    allocations: { type: 'array', items: obj({ sku: str, location: str, reserved: int }) },
    occurredAt: time,
  }),
  OrderConfirmed: obj({ occurredAt: time }),
  OrderBackordered: obj({ shortages: { type: 'array', items: skuQty }, occurredAt: time }),
  OrderUpdated: obj({
    changes: obj({ lines: { type: 'array', items: orderLine }, shippingAddress: address, notes: strOrNull }, []),
    releases: { type: 'array', items: release },
    updatedAt: time,
  }),
  OrderCancelled: obj({ reason: str, releases: { type: 'array', items: release }, cancelledAt: time }),
  OrderShipmentRecorded: obj(
    {
      shipmentId: str,
      location: str,
      lines: { type: 'array', items: skuQty },
      occurredAt: time,
      details: obj({ carrier: str, trackingNumber: strOrNull, service: strOrNull }),
    },
    ['shipmentId', 'location', 'lines', 'occurredAt'],
  ),
  OrderShipmentCancelled: obj({ shipmentId: str, occurredAt: time }),
  OrderShipmentDelivered: obj({ shipmentId: str, occurredAt: time }),
  OrderShipped: obj({ occurredAt: time }),
  OrderDelivered: obj({ occurredAt: time }),

  StockAdjusted: obj({ ...level, delta: int, reason: str, reference: strOrNull }),
  StockCounted: obj({ ...level, reason: { const: 'cycle_count' }, previousOnHand: int, delta: int }),
  StockReserved: obj({ ...level, ...orderMove, reason: { const: 'reservation' }, requested: int }),
  ReservationReleased: obj({ ...level, ...orderMove, reason: str }),
  StockShipped: obj({ ...level, ...orderMove, reason: { const: 'shipment' }, shipmentId: str }),
  StockUnshipped: obj({ ...level, ...orderMove, reason: { const: 'shipment_cancelled' }, shipmentId: str }),
  BackorderQueued: obj({ sku: str, location: str, occurredAt: time, orderId: str, quantity: int, position: int }),
  BackorderUpdated: obj({
    sku: str,
    location: str,
    occurredAt: time,
    orderId: str,
    quantity: int,
    previousQuantity: int,
  }),
  BackorderDequeued: obj({
    sku: str,
    location: str,
    occurredAt: time,
    orderId: str,
    quantity: int,
    remaining: int,
    reason: str,
  }),

  ShipmentCreated: obj({
    shipmentId: str,
    orderId: str,
    lines: { type: 'array', items: skuQty },
    carrier: str,
    trackingNumber: strOrNull,
    service: strOrNull,
    location: str,
    createdAt: time,
  }),
  ShipmentStatusChanged: obj({ ...tracking, previousStatus: str }),
  ShipmentTrackingEventRecorded: obj(tracking),
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
