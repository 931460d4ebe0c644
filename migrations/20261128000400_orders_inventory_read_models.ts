import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- orders: the folded order (state) plus the columns lists filter and sort on
    create table orders (
      tenant         text        not null,
      id             text        not null,
      customer_id    text        not null,
      status         text        not null,
      currency       text        not null,
      external_id    text,
      subtotal       bigint      not null,
      total_quantity int         not null,
      state          jsonb       not null,
      version        int         not null,
      created_at     timestamptz not null,
      updated_at     timestamptz not null,
      primary key (tenant, id)
    );
    create index orders_list on orders (tenant, created_at desc, id desc);
    create index orders_by_status on orders (tenant, status, created_at desc, id desc);
    create index orders_by_customer on orders (tenant, customer_id, created_at desc, id desc);
    create index orders_by_external_id on orders (tenant, external_id) where external_id is not null;

    -- inventory_levels: one row per SKU × location
    create table inventory_levels (
      tenant     text        not null,
      sku        text        not null,
      location   text        not null,
      on_hand    int         not null,
      reserved   int         not null,
      version    int         not null,
      updated_at timestamptz not null,
      primary key (tenant, sku, location)
    );
    create index inventory_levels_by_location on inventory_levels (tenant, location, sku);

    -- inventory_movements: the ledger, one row per event that moved a level
    create table inventory_movements (
      tenant          text        not null,
      event_id        uuid        not null,
      sku             text        not null,
      location        text        not null,
      type            text        not null,
      on_hand_delta   int         not null,
      reserved_delta  int         not null,
      on_hand_after   int         not null,
      reserved_after  int         not null,
      reason          text,
      order_id        text,
      shipment_id     text,
      reference       text,
      occurred_at     timestamptz not null,
      primary key (tenant, event_id)
    );
    create index inventory_movements_by_sku on inventory_movements (tenant, sku, occurred_at desc, event_id desc);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table inventory_movements, inventory_levels, orders');
}
