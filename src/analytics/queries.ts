import type { Knex } from 'knex';
import { invalidQuery } from '../queries/errors.ts';
import { MAX_RANGE_DAYS, type RangeQuery, type TopSkusQuery } from './schemas.ts';

// Reads over the analytics.* tables (projections/analytics.ts). They are pre-aggregated per day
// (daily_orders, sku_daily_units) or hold one row per order (order_fulfillment, backorders), so
// each answer is a range scan of an index (migrations/20261204000200_analytics_read_api.ts),
// never a pass over the orders: as fast on a million orders as on ten. Days are UTC dates.

const DAY_MS = 86_400_000;

interface Range {
  from: string;
  to: string;
  /** Every day of the range, oldest first. */
  days: string[];
  /** [from 00:00Z, to + 1 day 00:00Z): the range as instants, for timestamp columns. */
  start: string;
  end: string;
}

/** from/to as asked (ajv has checked each is a real date), defaulted, ordered and bounded. */
export function rangeOf(q: RangeQuery, now = new Date()): Range {
  const to = q.to ?? now.toISOString().slice(0, 10);
  const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  const fromMs = Date.parse(`${from}T00:00:00Z`);
  const toMs = Date.parse(`${to}T00:00:00Z`);
  if (fromMs > toMs) throw invalidQuery('query:/from', `must not be after to (${to})`, 'from is after to');
  const length = (toMs - fromMs) / DAY_MS + 1;
  if (length > MAX_RANGE_DAYS)
    throw invalidQuery(
      'query:/from',
      `the range is ${length} days; at most ${MAX_RANGE_DAYS} may be asked for at once`,
      'range too long',
    );
  const days = Array.from({ length }, (_, i) => new Date(fromMs + i * DAY_MS).toISOString().slice(0, 10));
  return { from, to, days, start: `${from}T00:00:00Z`, end: new Date(toMs + DAY_MS).toISOString() };
}

/** numeric sums arrive as text (exact); the API answers numbers (exact up to 2^53 − 1). */
const n = (v: string | number | null | undefined) => (v === null || v === undefined ? 0 : Number(v));
const orNull = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));

interface MoneyRow {
  day: string;
  currency: string;
  orders_placed: number;
  revenue_placed: string;
  discount_placed: string;
  tax_placed: string;
  shipping_placed: string;
  total_placed: string;
  orders_cancelled: number;
  total_cancelled: string;
  captured: string;
  refunded: string;
}

type Money = ReturnType<typeof moneyOf>;
const moneyOf = (r: MoneyRow) => ({
  currency: r.currency,
  ordersPlaced: r.orders_placed,
  subtotal: n(r.revenue_placed),
  discount: n(r.discount_placed),
  tax: n(r.tax_placed),
  shipping: n(r.shipping_placed),
  total: n(r.total_placed),
  ordersCancelled: r.orders_cancelled,
  totalCancelled: n(r.total_cancelled),
  captured: n(r.captured),
  refunded: n(r.refunded),
});

interface DayFigures {
  ordersPlaced: number;
  ordersCancelled: number;
  unitsOrdered: number;
  unitsShipped: number;
  money: Money[];
}

const empty = (): DayFigures => ({ ordersPlaced: 0, ordersCancelled: 0, unitsOrdered: 0, unitsShipped: 0, money: [] });

/** Adds a currency's figures into a list kept in currency order. */
function addMoney(list: Money[], m: Money): void {
  const known = list.find((x) => x.currency === m.currency);
  if (!known) {
    list.push({ ...m });
    list.sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
    return;
  }
  for (const k of Object.keys(m) as (keyof Money)[]) if (k !== 'currency') known[k] += m[k];
}

/** Per day of the range: orders placed and cancelled, units ordered and shipped, money per currency. */
export async function dailyOrders(knex: Knex, tenant: string, q: RangeQuery) {
  const r = rangeOf(q);
  const [money, units] = await Promise.all([
    knex.raw(
      `select to_char(day, 'YYYY-MM-DD') as day, currency, orders_placed, revenue_placed::text, discount_placed::text,
              tax_placed::text, shipping_placed::text, total_placed::text, orders_cancelled, total_cancelled::text,
              captured::text, refunded::text
         from analytics.daily_orders
        where tenant = ? and day between ?::date and ?::date
        order by day, currency`,
      [tenant, r.from, r.to],
    ),
    knex.raw(
      `select to_char(day, 'YYYY-MM-DD') as day, sum(units_ordered)::text as ordered, sum(units_shipped)::text as shipped
         from analytics.sku_daily_units
        where tenant = ? and day between ?::date and ?::date
        group by day`,
      [tenant, r.from, r.to],
    ),
  ]);
  const byDay = new Map(r.days.map((d) => [d, empty()]));
  const totals = empty();
  for (const row of money.rows as MoneyRow[]) {
    const d = byDay.get(row.day)!;
    const m = moneyOf(row);
    for (const f of [d, totals]) {
      f.ordersPlaced += m.ordersPlaced;
      f.ordersCancelled += m.ordersCancelled;
      addMoney(f.money, m);
    }
  }
  for (const row of units.rows as { day: string; ordered: string; shipped: string }[]) {
    const d = byDay.get(row.day)!;
    for (const f of [d, totals]) {
      f.unitsOrdered += n(row.ordered);
      f.unitsShipped += n(row.shipped);
    }
  }
  return { from: r.from, to: r.to, days: [...byDay].map(([day, f]) => ({ day, ...f })), totals };
}

/** The SKUs with the most units ordered in the range (ties by SKU), with their orders and the units shipped. */
export async function topSkus(knex: Knex, tenant: string, q: TopSkusQuery) {
  const r = rangeOf(q);
  const rows = (
    await knex.raw(
      `select sku, sum(units_ordered)::text as ordered, sum(units_shipped)::text as shipped,
              sum(orders_placed)::text as orders
         from analytics.sku_daily_units
        where tenant = ? and day between ?::date and ?::date
        group by sku
        order by sum(units_ordered) desc, sku collate "C"
        limit ?`,
      [tenant, r.from, r.to, q.limit],
    )
  ).rows as { sku: string; ordered: string; shipped: string; orders: string }[];
  return {
    from: r.from,
    to: r.to,
    data: rows.map((x) => ({
      sku: x.sku,
      unitsOrdered: n(x.ordered),
      ordersPlaced: n(x.orders),
      unitsShipped: n(x.shipped),
    })),
  };
}

/**
 * Fill rate and backorder age of the orders placed in the range, and the backorders waiting now.
 * "Confirmed without a backorder" is counted as confirmed − backordered-and-confirmed: the
 * backorders are few next to the orders, so the second count walks the backorders (probing each
 * one's order by key) instead of anti-joining every order of the range.
 */
export async function fulfilment(knex: Knex, tenant: string, q: RangeQuery) {
  const r = rangeOf(q);
  const [orders, backorders, waiting] = await Promise.all([
    knex.raw(
      `select count(*)::int as placed, count(confirmed_at)::int as confirmed, count(cancelled_at)::int as cancelled,
              count(*) filter (where confirmed_at is null and cancelled_at is null)::int as open
         from analytics.order_fulfillment
        where tenant = ? and placed_at >= ?::timestamptz and placed_at < ?::timestamptz`,
      [tenant, r.start, r.end],
    ),
    // An order is backordered after it is placed; the day of slack covers clocks of different
    // processes that disagree by a little, and lets the backorders' index bound the scan.
    knex.raw(
      `select count(*)::int as count,
              count(*) filter (where f.confirmed_at is not null)::int as orders_confirmed,
              count(*) filter (where b.resolution = 'confirmed')::int as confirmed,
              count(*) filter (where b.resolution = 'cancelled')::int as cancelled,
              count(*) filter (where b.resolved_at is null)::int as waiting,
              percentile_disc(0.5) within group (order by b.duration_s) filter (where b.resolution = 'confirmed') as p50,
              percentile_disc(0.9) within group (order by b.duration_s) filter (where b.resolution = 'confirmed') as p90,
              max(b.duration_s) filter (where b.resolution = 'confirmed') as max
         from analytics.backorders b
         join analytics.order_fulfillment f on f.tenant = b.tenant and f.order_id = b.order_id
        where b.tenant = ? and b.backordered_at >= ?::timestamptz - interval '1 day'
          and f.placed_at >= ?::timestamptz and f.placed_at < ?::timestamptz`,
      [tenant, r.start, r.start, r.end],
    ),
    knex.raw(
      `select now() as as_of, count(*)::int as count, min(backordered_at) as oldest,
              percentile_disc(0.5) within group (order by extract(epoch from now() - backordered_at)::float8) as p50,
              percentile_disc(0.9) within group (order by extract(epoch from now() - backordered_at)::float8) as p90,
              extract(epoch from now() - min(backordered_at))::float8 as max
         from analytics.backorders
        where tenant = ? and resolved_at is null`,
      [tenant],
    ),
  ]);
  const o = orders.rows[0] as { placed: number; confirmed: number; cancelled: number; open: number };
  const b = backorders.rows[0] as Record<string, number | null> & {
    count: number;
    orders_confirmed: number;
    confirmed: number;
    cancelled: number;
    waiting: number;
  };
  const w = waiting.rows[0] as Record<string, number | null> & { as_of: Date; count: number; oldest: Date | null };
  const withoutBackorder = o.confirmed - b.orders_confirmed;
  const decided = withoutBackorder + b.count;
  return {
    from: r.from,
    to: r.to,
    asOf: w.as_of.toISOString(),
    orders: {
      placed: o.placed,
      confirmed: o.confirmed,
      confirmedWithoutBackorder: withoutBackorder,
      backordered: b.count,
      cancelled: o.cancelled,
      open: o.open,
    },
    fillRate: decided === 0 ? null : withoutBackorder / decided,
    backorders: {
      count: b.count,
      confirmed: b.confirmed,
      cancelled: b.cancelled,
      waiting: b.waiting,
      secondsToConfirm: { p50: orNull(b.p50), p90: orNull(b.p90), max: orNull(b.max) },
    },
    waitingNow: {
      count: w.count,
      oldestBackorderedAt: w.oldest ? w.oldest.toISOString() : null,
      ageSeconds: { p50: orNull(w.p50), p90: orNull(w.p90), max: orNull(w.max) },
    },
  };
}
