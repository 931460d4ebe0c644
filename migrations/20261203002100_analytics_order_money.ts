import type { Knex } from 'knex';

// Order money in analytics: per day and currency, what orders were placed for (discount, tax,
// shipping, total), the total of those cancelled, and what was captured and refunded that day.
// Orders placed before money existed had no discount, tax or shipping, so their total was their
// subtotal: the backfill gives existing rows what a replay of their events gives.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table analytics.daily_orders
      add column discount_placed numeric not null default 0,
      add column tax_placed      numeric not null default 0,
      add column shipping_placed numeric not null default 0,
      add column total_placed    numeric not null default 0,
      add column total_cancelled numeric not null default 0,
      add column captured        numeric not null default 0,
      add column refunded        numeric not null default 0;
    update analytics.daily_orders set total_placed = revenue_placed, total_cancelled = revenue_cancelled;

    alter table analytics.order_fulfillment add column total numeric;
    update analytics.order_fulfillment set total = subtotal;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table analytics.order_fulfillment drop column total;
    alter table analytics.daily_orders
      drop column discount_placed,
      drop column tax_placed,
      drop column shipping_placed,
      drop column total_placed,
      drop column total_cancelled,
      drop column captured,
      drop column refunded;
  `);
}
