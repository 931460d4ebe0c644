import type { Knex } from 'knex';

// The Postgres event store. Global order for readers is (transaction_id, global_position):
// a reader only sees rows whose writer transaction is older than every transaction still running
// (pg_snapshot_xmin), so a transaction that commits late can never be skipped.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table es_events (
      global_position bigserial primary key,
      transaction_id  xid8        not null default pg_current_xact_id(),
      event_id        uuid        not null unique,
      stream_name     text        not null,
      stream_revision bigint      not null,
      tenant          text        not null,
      event_type      text        not null,
      data            jsonb       not null,
      metadata        jsonb       not null,
      created_at      timestamptz not null default now(),
      unique (stream_name, stream_revision)
    );
    create index es_events_log on es_events (transaction_id, global_position);
    create index es_events_tenant_log on es_events (tenant, transaction_id, global_position);

    create table es_streams (
      stream_name text primary key,
      revision    bigint not null
    );
  `);
  await knex.raw(APPEND_FUNCTION);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'drop function if exists es_append(text, text, bigint, jsonb); drop table es_events; drop table es_streams;',
  );
}

// One round trip per append. expected_kind: 'any' | 'no_stream' | 'stream_exists' | 'exact'.
// Returns the new stream revision and the (transaction_id, global_position) of the last event,
// or raises SQLSTATE 'P0001' with message 'wrong_expected_version:<actual|no_stream>'.
// Re-appending ids already stored at the same place in the same stream returns the original
// result without writing (idempotent append).
const APPEND_FUNCTION = `
create or replace function es_append(p_stream text, p_expected_kind text, p_expected bigint, p_events jsonb)
returns table (next_revision bigint, tx xid8, pos bigint)
language plpgsql as $$
declare
  n int := jsonb_array_length(p_events);
  existing int;
  current_rev bigint;
  new_rev bigint;
begin
  select count(*) into existing from es_events
   where event_id in (select (e->>'id')::uuid from jsonb_array_elements(p_events) e);
  if existing > 0 then
    if existing = n and not exists (
      select 1 from jsonb_array_elements(p_events) e
       where not exists (select 1 from es_events x where x.event_id = (e->>'id')::uuid and x.stream_name = p_stream)) then
      return query
        select s.revision, x.transaction_id, x.global_position
          from es_streams s, es_events x
         where s.stream_name = p_stream
           and x.event_id = (p_events->(n - 1)->>'id')::uuid;
      return;
    end if;
    raise exception 'duplicate_event_id' using errcode = 'P0002';
  end if;

  if p_expected_kind = 'no_stream' then
    insert into es_streams as s (stream_name, revision) values (p_stream, n - 1)
      on conflict (stream_name) do nothing
      returning s.revision into new_rev;
  elsif p_expected_kind = 'exact' then
    update es_streams s set revision = s.revision + n
     where s.stream_name = p_stream and s.revision = p_expected
     returning s.revision into new_rev;
  elsif p_expected_kind = 'stream_exists' then
    update es_streams s set revision = s.revision + n
     where s.stream_name = p_stream
     returning s.revision into new_rev;
  else
    insert into es_streams as s (stream_name, revision) values (p_stream, n - 1)
      on conflict (stream_name) do update set revision = s.revision + n
      returning s.revision into new_rev;
  end if;

  if new_rev is null then
    select s.revision into current_rev from es_streams s where s.stream_name = p_stream;
    raise exception 'wrong_expected_version:%', coalesce(current_rev::text, 'no_stream') using errcode = 'P0001';
  end if;

  return query
    with ins as (
      insert into es_events (event_id, stream_name, stream_revision, tenant, event_type, data, metadata)
      select (e->>'id')::uuid, p_stream, new_rev - n + ord, e->'metadata'->>'tenant', e->>'type', e->'data', e->'metadata'
        from jsonb_array_elements(p_events) with ordinality as t(e, ord)
       order by ord
      returning es_events.transaction_id, es_events.global_position
    )
    select new_rev, ins.transaction_id, ins.global_position from ins order by ins.global_position desc limit 1;
end $$;
`;
