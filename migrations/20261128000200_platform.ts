import type { Knex } from 'knex';

// Tables of the platform itself (not read models): credentials, idempotency records,
// projection checkpoints and the record of side effects already carried out.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table api_keys (
      id           text primary key,
      tenant       text not null,
      scopes       text[] not null,
      secret_hash  bytea not null,
      label        text,
      created_at   timestamptz not null default now(),
      revoked_at   timestamptz,
      last_used_at timestamptz
    );
    create index api_keys_tenant on api_keys (tenant, created_at desc);

    create table idempotency_keys (
      tenant          text not null,
      key             text not null,
      fingerprint     text not null,
      state           text not null check (state in ('running', 'done')),
      locked_until    timestamptz not null,
      response_status int,
      response_body   jsonb,
      response_headers jsonb,
      created_at      timestamptz not null default now(),
      primary key (tenant, key)
    );
    create index idempotency_keys_created on idempotency_keys (created_at);

    -- position as numeric pairs so "has the projection reached X" is one indexed comparison
    create table projection_checkpoints (
      name             text primary key,
      position_commit  numeric(20) not null default 0,
      position_prepare numeric(20) not null default 0,
      events_processed bigint not null default 0,
      updated_at       timestamptz not null default now()
    );

    create table processed_jobs (
      job_id       text primary key,
      processed_at timestamptz not null default now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table processed_jobs, projection_checkpoints, idempotency_keys, api_keys');
}
