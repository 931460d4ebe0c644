import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table customers (
      tenant      text        not null,
      id          text        not null,
      email       text        not null,
      email_lower text        not null,
      name        text        not null,
      phone       text,
      external_id text,
      addresses   jsonb       not null default '[]',
      version     int         not null,
      created_at  timestamptz not null,
      updated_at  timestamptz not null,
      primary key (tenant, id)
    );
    create index customers_list on customers (tenant, created_at desc, id desc);
    create index customers_email on customers (tenant, email_lower, created_at desc, id desc);
    create index customers_external_id on customers (tenant, external_id) where external_id is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table customers');
}
