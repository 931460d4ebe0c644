import type { Knex } from 'knex';

// The NOTIFY trigger of 20261203000700 is dropped: a transaction that has notified holds one
// cluster-wide lock from just before its commit until the commit has been flushed to WAL, so every
// append waited for the previous one's flush and commits could no longer be grouped (measured: 183
// appends/s with the trigger, 998 without). The Postgres event store now announces its appends
// itself, right after they commit, in a transaction of its own that writes nothing durable
// (synchronous_commit off): see src/eventstore/postgres/append-announcer.ts. Same channel, same
// payload (the appending transaction's id), so listeners are unchanged.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'drop trigger if exists es_events_notify_appended on es_events; drop function if exists es_notify_appended();',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function es_notify_appended() returns trigger language plpgsql as $$
    begin
      perform pg_notify('oms_es_appended', pg_current_xact_id()::text);
      return null;
    end $$;
    create trigger es_events_notify_appended after insert on es_events
      for each statement execute function es_notify_appended();
  `);
}
