import type { Knex } from 'knex';

// es_append's duplicate-id check used `in (subquery)`, which the planner turned into a full scan
// of es_events while the table was small (measured by the benchmark). Same function, index probe.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(APPEND_FUNCTION);
}

export async function down(): Promise<void> {
  // The previous definition is equivalent in behaviour; nothing to undo.
}

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
  -- An array (not a subquery) so the planner probes the event_id index instead of scanning.
  select count(*) into existing from es_events
   where event_id = any (array(select (e->>'id')::uuid from jsonb_array_elements(p_events) e));
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
