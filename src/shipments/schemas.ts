import type { BodyOf, QueryOf } from '../http/route.ts';
import { cursorParam, idParams, limitParam, listOf, text } from '../http/schemas.ts';
import { LOCATION_PATTERN, SKU_PATTERN } from '../inventory/schemas.ts';

const shipmentLine = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'quantity'],
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN },
    quantity: { type: 'integer', minimum: 1, maximum: 100_000 },
  },
} as const;

export const createShipmentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['lines', 'carrier'],
  properties: {
    lines: { type: 'array', minItems: 1, maxItems: 200, items: shipmentLine },
    carrier: text(64),
    trackingNumber: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
    location: { type: 'string', pattern: LOCATION_PATTERN },
    service: text(64),
  },
  examples: [
    {
      lines: [{ sku: 'TSHIRT-RED-M', quantity: 2 }],
      carrier: 'DHL',
      trackingNumber: 'JD014600006101234567',
      service: 'express',
    },
  ],
} as const;

const shipmentStatus = {
  enum: ['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned', 'cancelled'],
} as const;

export const trackingEventBody = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { enum: ['in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned', 'cancelled'] },
    occurredAt: { type: 'string', format: 'date-time' },
    location: text(200),
    description: text(500),
    carrierCode: text(64),
  },
} as const;
export type TrackingEventBody = BodyOf<typeof trackingEventBody>;

const trackingEntry = {
  type: 'object',
  // Every entry of the timeline has its status and time (domain/shipments/events.ts, TrackingEntry).
  required: ['status', 'occurredAt'],
  properties: {
    status: shipmentStatus,
    occurredAt: { type: 'string', format: 'date-time' },
    location: { type: ['string', 'null'] },
    description: { type: ['string', 'null'] },
    carrierCode: { type: ['string', 'null'] },
  },
} as const;

export const shipmentSchema = {
  type: 'object',
  required: ['id', 'orderId', 'status', 'lines', 'carrier', 'trackingNumber', 'events', 'version'],
  properties: {
    id: { type: 'string' },
    orderId: { type: 'string' },
    status: shipmentStatus,
    lines: {
      type: 'array',
      items: { type: 'object', properties: { sku: { type: 'string' }, quantity: { type: 'integer' } } },
    },
    carrier: { type: 'string' },
    trackingNumber: { type: ['string', 'null'] },
    service: { type: ['string', 'null'] },
    location: { type: 'string' },
    events: { type: 'array', items: trackingEntry },
    version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  // The example of docs/api.md (test/docs/openapi-examples.int.test.ts keeps the two equal).
  examples: [
    {
      id: 'shp_01jdxb7c8d9e0f1g2h3j4k5m6n',
      orderId: 'ord_01jdx9a4b5c6d7e8f9g0h1j2k3',
      status: 'in_transit',
      lines: [{ sku: 'TSHIRT-RED-M', quantity: 2 }],
      carrier: 'DHL',
      trackingNumber: 'JD014600006101234567',
      service: 'express',
      location: 'default',
      events: [
        {
          status: 'label_created',
          occurredAt: '2026-11-29T09:00:00.000Z',
          location: null,
          description: 'Label created',
          carrierCode: null,
        },
        {
          status: 'in_transit',
          occurredAt: '2026-11-29T13:02:00.000Z',
          location: 'Leipzig hub',
          description: null,
          carrierCode: 'PU',
        },
      ],
      version: 2,
      createdAt: '2026-11-29T09:00:00.000Z',
      updatedAt: '2026-11-29T13:05:10.000Z',
    },
  ],
} as const;

export const shipmentIdParams = idParams('shp');
export const trackingParams = {
  type: 'object',
  required: ['trackingNumber'],
  properties: { trackingNumber: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' } },
} as const;

export const trackingQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: limitParam, cursor: cursorParam },
} as const;
export type TrackingQuery = QueryOf<typeof trackingQuery>;

export const listShipmentsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', maxLength: 64 },
    status: shipmentStatus,
    limit: limitParam,
    cursor: cursorParam,
  },
} as const;
export type ListShipmentsQuery = QueryOf<typeof listShipmentsQuery>;

export const shipmentList = listOf(shipmentSchema);
