import type { Knex } from 'knex';

// Multi-stream append (EventStore.appendToStreams): es_append_many runs es_append for each
// write in ONE call, so in one transaction: every stream's expected revision holds and all events
// are appended, or an error rolls back the lot. es_append now names its stream in the error's
// DETAIL, so the caller of es_append_many knows which write failed. Otherwise es_append is as in
// 20261128000900_es_append_index_probe.ts.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(APPEND_FUNCTION);
  await knex.raw(APPEND_MANY_FUNCTION);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists es_append_many(jsonb)');
  // es_append keeps its DETAIL: callers of the previous definition ignore it.
}

// p_writes: [{ "stream": text, "kind": 'any'|'no_stream'|'stream_exists'|'exact', "expected": bigint|null,
// "events": [...as es_append] }, ...], each stream at most once. One row per write, in write order
// (idx from 0). A transaction-scoped advisory lock per stream is taken first, all in one order
// (by key), so two multi-stream appends over the same streams, existing or new, queue instead of
// deadlocking on each other's es_streams rows. (The two-int key form with class 1001 keeps these
// apart from the projector's bigint locks; a hash collision only serialises two appends more.)
const APPEND_MANY_FUNCTION = `
create or replace function es_append_many(p_writes jsonb)
returns table (idx int, next_revision bigint, tx xid8, pos bigint)
language plpgsql as $$
declare
  w record;
  k int;
begin
  for k in select distinct hashtext(x->>'stream') from jsonb_array_elements(p_writes) x order by 1 loop
    perform pg_advisory_xact_lock(1001, k);
  end loop;
  for w in select value as v, (ordinality - 1)::int as i from jsonb_array_elements(p_writes) with ordinality loop
    return query
      select w.i, a.next_revision, a.tx, a.pos
        from es_append(w.v->>'stream', w.v->>'kind', (w.v->>'expected')::bigint, w.v->'events') a;
  end loop;
end $$;
`;

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
    raise exception 'duplicate_event_id' using errcode = 'P0002', detail = p_stream;
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
    raise exception 'wrong_expected_version:%', coalesce(current_rev::text, 'no_stream')
      using errcode = 'P0001', detail = p_stream;
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
