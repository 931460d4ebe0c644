import type { Knex } from 'knex';

// For GET /v1/analytics/… (src/analytics/queries.ts).
//
// sku_daily_units.orders_placed: the orders placed that day with the SKU on a line (an order with the
// SKU on two lines counts once). Existing rows start at 0: the orders behind them are only in the
// event log, so `oms projections rebuild analytics` fills them (docs/operations.md, upgrading).
//
// Indexes, so that each answer is a range scan of one of them, never a pass over every row of a
// tenant:
//   sku_daily_units: its key leads with the SKU; the daily and top-SKU answers ask by day. The
//     covering columns make it an index-only scan.
//   order_fulfillment: the orders placed in a range, with what the fill rate counts.
//   backorders: by when they began (the range's backorders), and the ones still waiting (few, and
//     asked for on every fulfilment answer).
// Built without `concurrently`: knex runs each migration in a transaction, and these tables are
// rebuildable read models that an upgrade may lock for the build.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table analytics.sku_daily_units add column orders_placed numeric not null default 0;
    create index sku_daily_units_tenant_day
      on analytics.sku_daily_units (tenant, day) include (sku, units_ordered, units_shipped, orders_placed);
    create index order_fulfillment_tenant_placed_at
      on analytics.order_fulfillment (tenant, placed_at) include (confirmed_at, cancelled_at);
    create index backorders_tenant_backordered_at on analytics.backorders (tenant, backordered_at);
    create index backorders_tenant_waiting on analytics.backorders (tenant, backordered_at) where resolved_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index analytics.backorders_tenant_waiting;
    drop index analytics.backorders_tenant_backordered_at;
    drop index analytics.order_fulfillment_tenant_placed_at;
    drop index analytics.sku_daily_units_tenant_day;
    alter table analytics.sku_daily_units drop column orders_placed;
  `);
}
