import type { Knex } from 'knex';

// Returns: the read model (folded return + list columns), analytics.returns for BI tools, and the
// ledger columns that say what came back damaged (those units never go on hand).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table returns (
      tenant     text        not null,
      id         text        not null,
      order_id   text        not null,
      status     text        not null,
      state      jsonb       not null,
      version    int         not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (tenant, id)
    );
    create index returns_list on returns (tenant, created_at desc, id desc);
    create index returns_by_order on returns (tenant, order_id, created_at desc, id desc);
    create index returns_by_status on returns (tenant, status, created_at desc, id desc);

    -- one row per return: its milestones and units (analytics schema, rebuildable like any read model)
    create table analytics.returns (
      tenant           text        not null,
      return_id        text        not null,
      order_id         text        not null,
      status           text        not null,
      units_requested  int         not null,
      units_resellable int         not null default 0,
      units_damaged    int         not null default 0,
      refunded         numeric     not null default 0,
      requested_at     timestamptz not null,
      approved_at      timestamptz,
      rejected_at      timestamptz,
      received_at      timestamptz,
      requested_to_received_s double precision generated always as (extract(epoch from received_at - requested_at)) stored,
      primary key (tenant, return_id)
    );

    alter table inventory_movements add column condition text, add column quantity int;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table inventory_movements drop column condition, drop column quantity;
    drop table analytics.returns;
    drop table returns;
  `);
}
