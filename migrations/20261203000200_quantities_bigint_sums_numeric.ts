import type { Knex } from 'knex';

// Read-model columns wide enough for everything the domain accepts (domain/shared/limits.ts):
// a quantity or stock level is at most 10^12 (beyond int), an amount at most 2^53 − 1 (bigint
// already). The analytics sums add up any number of events, so they are numeric (no overflow).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table inventory_levels
      alter column on_hand type bigint,
      alter column reserved type bigint;
    alter table inventory_movements
      alter column on_hand_delta type bigint,
      alter column reserved_delta type bigint,
      alter column on_hand_after type bigint,
      alter column reserved_after type bigint;
    alter table orders
      alter column total_quantity type bigint;
    alter table analytics.daily_orders
      alter column revenue_placed type numeric,
      alter column revenue_cancelled type numeric;
    alter table analytics.sku_daily_units
      alter column units_ordered type numeric,
      alter column units_shipped type numeric;
    alter table analytics.inventory_movements_daily
      alter column on_hand_delta type numeric;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table analytics.inventory_movements_daily alter column on_hand_delta type bigint;
    alter table analytics.sku_daily_units alter column units_ordered type int, alter column units_shipped type int;
    alter table analytics.daily_orders
      alter column revenue_placed type bigint,
      alter column revenue_cancelled type bigint;
    alter table orders alter column total_quantity type int;
    alter table inventory_movements
      alter column on_hand_delta type int,
      alter column reserved_delta type int,
      alter column on_hand_after type int,
      alter column reserved_after type int;
    alter table inventory_levels alter column on_hand type int, alter column reserved type int;
  `);
}
