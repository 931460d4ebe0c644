import type { Knex } from 'knex';

// Webhook endpoints are configuration, not business history: plain tables, tenant-scoped.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table webhook_endpoints (
      tenant      text        not null,
      id          text        primary key,
      url         text        not null,
      events      text[]      not null,
      secret      text        not null,
      description text,
      created_at  timestamptz not null default now(),
      deleted_at  timestamptz
    );
    create index webhook_endpoints_tenant on webhook_endpoints (tenant, created_at desc) where deleted_at is null;

    create table webhook_deliveries (
      id               text        primary key,
      tenant           text        not null,
      endpoint_id      text        not null references webhook_endpoints (id),
      event_id         uuid        not null,
      event_type       text        not null,
      payload          jsonb       not null,
      status           text        not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
      attempts         int         not null default 0,
      last_status_code int,
      last_error       text,
      created_at       timestamptz not null default now(),
      updated_at       timestamptz not null default now(),
      unique (endpoint_id, event_id, event_type)
    );
    create index webhook_deliveries_by_endpoint on webhook_deliveries (endpoint_id, created_at desc, id desc);

    create table webhook_attempts (
      delivery_id text        not null references webhook_deliveries (id),
      attempt     int         not null,
      status_code int,
      latency_ms  int         not null,
      error       text,
      at          timestamptz not null default now(),
      primary key (delivery_id, attempt)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table webhook_attempts, webhook_deliveries, webhook_endpoints');
}
