import { MAX_QUANTITY } from '../../domain/shared/limits.ts';
import type { QueryOf } from '../http/route.ts';
import { cursorParam, limitParam, listOf, text } from '../http/schemas.ts';

export const SKU_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
/** Location codes as people write them (`HN-01`); case-insensitive, folded to lower case (locationCode). */
export const LOCATION_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$';
const sku = {
  type: 'string',
  pattern: SKU_PATTERN,
  description: 'Stock keeping unit: letters, digits, ".", "_", "-" (≤ 64)',
} as const;
const location = {
  type: 'string',
  pattern: LOCATION_PATTERN,
  description:
    'Location code: letters, digits, "_", "-" (≤ 32); case-insensitive, answered in lower case (HN-01 is hn-01); default "default"',
} as const;
// One request may carry up to the domain's bound (400 beyond); the level it leads to is the
// domain's to refuse (422 quantity_out_of_range).
const quantity = { type: 'integer', minimum: 0, maximum: MAX_QUANTITY } as const;

export const adjustmentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'delta', 'reason'],
  properties: {
    sku,
    location,
    delta: { type: 'integer', minimum: -MAX_QUANTITY, maximum: MAX_QUANTITY, not: { const: 0 } },
    reason: { enum: ['received', 'returned', 'damaged', 'lost', 'found', 'correction'] },
    reference: text(128),
  },
  examples: [{ sku: 'TSHIRT-RED-M', location: 'default', delta: 100, reason: 'received', reference: 'PO-2026-0042' }],
} as const;

export const countBody = {
  type: 'object',
  additionalProperties: false,
  required: ['onHand', 'reason'],
  properties: { onHand: quantity, reason: { const: 'cycle_count' } },
} as const;

export const skuParams = { type: 'object', required: ['sku'], properties: { sku } } as const;
export const skuLocationParams = {
  type: 'object',
  required: ['sku', 'location'],
  properties: { sku, location },
} as const;

const levelFields = {
  onHand: { type: 'integer' },
  reserved: { type: 'integer' },
  available: { type: 'integer' },
} as const;

export const locationLevelSchema = {
  type: 'object',
  required: ['sku', 'location', 'onHand', 'reserved', 'available', 'version'],
  properties: { sku: { type: 'string' }, location: { type: 'string' }, ...levelFields, version: { type: 'integer' } },
} as const;

export const skuLevelSchema = {
  type: 'object',
  required: ['sku', 'onHand', 'reserved', 'available', 'locations'],
  properties: {
    sku: { type: 'string' },
    ...levelFields,
    locations: {
      type: 'array',
      items: { type: 'object', properties: { location: { type: 'string' }, ...levelFields } },
    },
  },
} as const;

export const listInventoryQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    location,
    sku,
    maxAvailable: {
      type: 'integer',
      minimum: 0,
      maximum: 1_000_000_000_000,
      description: 'Low stock: only levels with at most this many units available (onHand − reserved)',
    },
    limit: limitParam,
    cursor: cursorParam,
  },
} as const;
export type ListInventoryQuery = QueryOf<typeof listInventoryQuery>;

const movementSchema = {
  type: 'object',
  required: ['id', 'type', 'sku', 'location', 'onHandDelta', 'reservedDelta', 'onHand', 'reserved', 'occurredAt'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    sku: { type: 'string' },
    location: { type: 'string' },
    onHandDelta: { type: 'integer' },
    reservedDelta: { type: 'integer' },
    onHand: { type: 'integer' },
    reserved: { type: 'integer' },
    reason: { type: ['string', 'null'] },
    orderId: { type: ['string', 'null'] },
    shipmentId: { type: ['string', 'null'] },
    reference: { type: ['string', 'null'] },
    /** Damaged returned units only (DamagedStockReturned): they never went on hand. */
    condition: { const: 'damaged' },
    quantity: { type: 'integer' },
    occurredAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const movementsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { location, limit: limitParam, cursor: cursorParam },
} as const;
export type MovementsQuery = QueryOf<typeof movementsQuery>;

export const inventoryList = listOf(locationLevelSchema);
export const movementList = listOf(movementSchema);
