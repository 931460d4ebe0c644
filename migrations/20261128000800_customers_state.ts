import type { Knex } from 'knex';

// customers rows also keep the folded customer, so the projection batches like orders and
// shipments. Existing rows have no state yet: the read model is emptied and its checkpoint reset,
// and the projector rebuilds it from the log.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table customers add column state jsonb not null default '{}'`);
  await knex.raw('truncate customers');
  await knex.raw(
    `update projection_checkpoints set position_commit = 0, position_prepare = 0, events_processed = 0 where name = 'customers'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table customers drop column state');
}
