import type { Knex } from 'knex';

// locations: one row per tenant and location code (id), the folded location (state) plus the
// columns the list sorts and filters on. Allocation reads the location streams themselves.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table locations (
      tenant     text not null,
      id         text not null,
      priority   integer not null,
      active     boolean not null,
      state      jsonb not null,
      version    integer not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (tenant, id)
    );
    create index locations_in_order on locations (tenant, priority, id collate "C");
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table locations');
}
