import type { Knex } from 'knex';

// GET /v1/orders?sku=: the SKUs of an order's lines as a column, so the list can filter on it with
// an index instead of looking into every row's state. Distinct and sorted (byte order, as the
// projection's Array.prototype.sort does for these ASCII codes), so a backfilled row and a replayed
// one are the same row (projections verify compares them).
//
// A GIN index answers `skus @> array[sku]` with the matching rows of every tenant; the tenant and
// the newest-first order come after (for a rare SKU: few rows to sort), while for a common SKU the
// planner walks orders_list newest first and stops at the page (see docs/api.md, Orders).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table orders add column skus text[] not null default '{}';
    update orders set skus = array(
      select distinct l->>'sku' collate "C" from jsonb_array_elements(state->'lines') l order by 1
    );
    create index orders_by_sku on orders using gin (skus);
    analyze orders;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index orders_by_sku;
    alter table orders drop column skus;
  `);
}
