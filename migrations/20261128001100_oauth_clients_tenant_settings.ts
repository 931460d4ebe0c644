import type { Knex } from 'knex';

// OAuth 2.0 clients (client credentials grant) beside api_keys, and per-tenant settings
// (today: the rate limit that overrides OMS_RATE_LIMIT_PER_SECOND).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table oauth_clients (
      id           text primary key,
      tenant       text not null,
      scopes       text[] not null,
      secret_hash  bytea not null,
      label        text,
      created_at   timestamptz not null default now(),
      revoked_at   timestamptz,
      last_used_at timestamptz
    );
    create index oauth_clients_tenant on oauth_clients (tenant, created_at desc);

    create table tenant_settings (
      tenant                text primary key,
      rate_limit_per_second integer check (rate_limit_per_second > 0),
      updated_at            timestamptz not null default now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table tenant_settings, oauth_clients');
}
