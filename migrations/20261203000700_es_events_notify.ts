import type { Knex } from 'knex';

// Wakes log readers (projectors, the job dispatcher) when events are appended, instead of having
// them poll: after each statement that inserts into es_events, NOTIFY oms_es_appended. A
// notification is delivered when the transaction commits (never for a rolled-back one), and
// identical notifications of one transaction are folded into one, so an append, single or
// multi-stream, sends one. The payload is the appending transaction's id (an event's
// Position.commit): a reader whose log position is below it knows that transaction's events are
// still to come (readers see a commit only once every older transaction has ended).
export async function up(knex: Knex): Promise<void> {
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

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'drop trigger if exists es_events_notify_appended on es_events; drop function if exists es_notify_appended();',
  );
}
