import type { Knex } from 'knex';

// Poison events: an event a projection cannot apply is parked (after its retries) so the
// projection moves on for every other tenant; the entity it belongs to is marked stale.
// projection_failures holds the projections failing right now (read by /readyz in any process).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table parked_events (
      projection       text        not null,
      event_id         text        not null,
      position_commit  numeric(20) not null,
      position_prepare numeric(20) not null,
      stream_name      text        not null,
      revision         bigint      not null,
      tenant           text        not null,
      event_type       text        not null,
      error            text        not null,
      attempts         int         not null,
      first_failed_at  timestamptz not null,
      last_failed_at   timestamptz not null,
      primary key (projection, event_id)
    );
    create index parked_events_order on parked_events (projection, position_commit, position_prepare);

    create table stale_entities (
      projection      text        not null,
      tenant          text        not null,
      stream_name     text        not null,
      parked_event_id text        not null,
      marked_at       timestamptz not null default now(),
      primary key (projection, stream_name, parked_event_id)
    );
    create index stale_entities_event on stale_entities (projection, parked_event_id);

    create table projection_failures (
      projection    text        primary key,
      failing_since timestamptz not null,
      failures      int         not null,
      last_error    text        not null,
      updated_at    timestamptz not null default now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table projection_failures; drop table stale_entities; drop table parked_events;');
}
