import type { QueryOf } from '../http/route.ts';

/** The widest range one request may ask for: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;

const day = (description: string) => ({ type: 'string', format: 'date', description }) as const;

/** from/to are UTC days, both included; each defaults so that a bare request means "the last 30 days". */
const range = {
  from: day('First UTC day (YYYY-MM-DD), included; default: 29 days before `to`'),
  to: day('Last UTC day (YYYY-MM-DD), included; default: today (UTC)'),
} as const;

export const dailyOrdersQuery = { type: 'object', additionalProperties: false, properties: range } as const;
export type RangeQuery = QueryOf<typeof dailyOrdersQuery>;

export const topSkusQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...range, limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
} as const;
export type TopSkusQuery = QueryOf<typeof topSkusQuery>;

export const fulfilmentQuery = dailyOrdersQuery;

const int = { type: 'integer', minimum: 0 } as const;
/** Sums of minor units: exact up to 2^53 − 1 (the sums are numeric in the database). */
const amount = { type: 'integer', description: 'Minor units (e.g. cents)' } as const;
const rangeOut = {
  from: { type: 'string', format: 'date' },
  to: { type: 'string', format: 'date' },
} as const;

const moneySchema = {
  type: 'object',
  required: [
    'currency',
    'ordersPlaced',
    'subtotal',
    'discount',
    'tax',
    'shipping',
    'total',
    'ordersCancelled',
    'totalCancelled',
    'captured',
    'refunded',
  ],
  properties: {
    currency: { type: 'string' },
    ordersPlaced: int,
    subtotal: { ...amount, description: 'Σ quantity × unit price of the orders placed that day' },
    discount: amount,
    tax: amount,
    shipping: amount,
    total: { ...amount, description: 'subtotal − discount + tax + shipping' },
    ordersCancelled: int,
    totalCancelled: { ...amount, description: 'Total of the orders cancelled that day (whenever placed)' },
    captured: { ...amount, description: 'Payments captured that day' },
    refunded: { ...amount, description: 'Refunds recorded that day' },
  },
} as const;

const dayFigures = {
  type: 'object',
  required: ['ordersPlaced', 'ordersCancelled', 'unitsOrdered', 'unitsShipped', 'money'],
  properties: {
    ordersPlaced: int,
    ordersCancelled: { ...int, description: 'Orders cancelled that day (whenever placed)' },
    unitsOrdered: int,
    unitsShipped: { ...int, description: 'Units shipped that day (whatever day they were ordered)' },
    money: { type: 'array', items: moneySchema, description: 'Per currency, by currency code' },
  },
} as const;

export const dailyOrdersSchema = {
  type: 'object',
  required: ['from', 'to', 'days', 'totals'],
  properties: {
    ...rangeOut,
    days: {
      type: 'array',
      description: 'Every day of the range, oldest first (days without orders are zeros)',
      items: {
        type: 'object',
        required: ['day', ...dayFigures.required],
        properties: { day: { type: 'string', format: 'date' }, ...dayFigures.properties },
      },
    },
    totals: { ...dayFigures, description: 'The whole range' },
  },
} as const;

export const topSkusSchema = {
  type: 'object',
  required: ['from', 'to', 'data'],
  properties: {
    ...rangeOut,
    data: {
      type: 'array',
      description: 'Most units ordered first (ties by SKU), at most `limit`',
      items: {
        type: 'object',
        required: ['sku', 'unitsOrdered', 'ordersPlaced', 'unitsShipped'],
        properties: {
          sku: { type: 'string' },
          unitsOrdered: int,
          ordersPlaced: { ...int, description: 'Orders placed in the range with the SKU on a line' },
          unitsShipped: { ...int, description: 'Units shipped in the range (whenever ordered)' },
        },
      },
    },
  },
} as const;

const seconds = { type: ['number', 'null'], minimum: 0 } as const;

export const fulfilmentSchema = {
  type: 'object',
  required: ['from', 'to', 'asOf', 'orders', 'fillRate', 'backorders', 'waitingNow'],
  properties: {
    ...rangeOut,
    asOf: {
      type: 'string',
      format: 'date-time',
      description: 'The time the ages of waiting backorders are measured at',
    },
    orders: {
      type: 'object',
      description: 'Orders placed in the range, by what has happened to them so far',
      required: ['placed', 'confirmed', 'confirmedWithoutBackorder', 'backordered', 'cancelled', 'open'],
      properties: {
        placed: int,
        confirmed: { ...int, description: 'Confirmed (all units allocated), at once or after a backorder' },
        confirmedWithoutBackorder: { ...int, description: 'Confirmed without ever being backordered' },
        backordered: { ...int, description: 'Backordered at least once' },
        cancelled: int,
        open: { ...int, description: 'Neither confirmed nor cancelled yet (waiting for stock, on hold, …)' },
      },
    },
    fillRate: {
      type: ['number', 'null'],
      minimum: 0,
      maximum: 1,
      description:
        'confirmedWithoutBackorder ÷ (confirmedWithoutBackorder + backordered): of the orders allocation has decided, the share it could fill from stock at once; null without any',
    },
    backorders: {
      type: 'object',
      description: 'Backorders of the orders placed in the range',
      required: ['count', 'confirmed', 'cancelled', 'waiting', 'secondsToConfirm'],
      properties: {
        count: int,
        confirmed: { ...int, description: 'Resolved by a confirmation (stock arrived)' },
        cancelled: { ...int, description: 'Resolved by a cancellation' },
        waiting: int,
        secondsToConfirm: {
          type: 'object',
          description: 'Time from backordered to confirmed, over the confirmed ones (null without any)',
          required: ['p50', 'p90', 'max'],
          properties: { p50: seconds, p90: seconds, max: seconds },
        },
      },
    },
    waitingNow: {
      type: 'object',
      description: 'Every backorder of the tenant still waiting at `asOf`, whatever the range',
      required: ['count', 'oldestBackorderedAt', 'ageSeconds'],
      properties: {
        count: int,
        oldestBackorderedAt: { type: ['string', 'null'], format: 'date-time' },
        ageSeconds: {
          type: 'object',
          required: ['p50', 'p90', 'max'],
          properties: { p50: seconds, p90: seconds, max: seconds },
        },
      },
    },
  },
} as const;
