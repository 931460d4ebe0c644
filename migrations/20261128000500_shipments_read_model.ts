import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table shipments (
      tenant          text        not null,
      id              text        not null,
      order_id        text        not null,
      status          text        not null,
      carrier         text        not null,
      tracking_number text,
      state           jsonb       not null,
      version         int         not null,
      created_at      timestamptz not null,
      updated_at      timestamptz not null,
      primary key (tenant, id)
    );
    create index shipments_list on shipments (tenant, created_at desc, id desc);
    create index shipments_by_order on shipments (tenant, order_id, created_at desc, id desc);
    create index shipments_by_status on shipments (tenant, status, created_at desc, id desc);
    create index shipments_by_tracking on shipments (tenant, tracking_number) where tracking_number is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table shipments');
}
