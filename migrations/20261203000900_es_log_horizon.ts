import type { Knex } from 'knex';

// The log horizon: readers of the global log see events of transactions below it. It used to be
// the cluster's oldest running transaction (pg_snapshot_xmin), so a read model's transaction (a
// projector applying a batch) held back every log reader for as long as it ran, though it never
// appends an event: under a flash sale analytics batches alone held the log for up to 1.7 s.
//
// Transactions that write read models say so (SET LOCAL application_name = 'oms-readmodel', seen
// at once in pg_stat_activity next to their transaction id). The horizon is the oldest running
// transaction NOT so marked, or the snapshot's xmax when there is none. Safe in every race:
//  - a marked transaction that ends between the snapshot and the pg_stat_activity read counts as
//    a possible appender: the horizon is only lower than it could be;
//  - a transaction that starts after the snapshot has an id ≥ xmax;
//  - a marked transaction cannot append: the trigger below refuses it.
// Both calls of pg_current_snapshot() return the calling statement's snapshot.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function es_log_horizon() returns xid8 language sql stable as $$
      select coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
        from pg_snapshot_xip(pg_current_snapshot()) as x
       where x::xid not in (
         select a.backend_xid from pg_stat_get_activity(null) a
          where a.application_name = 'oms-readmodel' and a.backend_xid is not null)
    $$;
    create or replace function es_refuse_readmodel_append() returns trigger language plpgsql as $$
    begin
      if current_setting('application_name') = 'oms-readmodel' then
        raise exception 'a read-model transaction may not append events (it is invisible to the log horizon)';
      end if;
      return null;
    end $$;
    create trigger es_events_refuse_readmodel_append before insert on es_events
      for each statement execute function es_refuse_readmodel_append();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger if exists es_events_refuse_readmodel_append on es_events;
    drop function if exists es_refuse_readmodel_append();
    drop function if exists es_log_horizon();
  `);
}
