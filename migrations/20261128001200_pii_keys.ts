import type { Knex } from 'knex';

// One data key per customer, stored wrapped (AES-256-GCM) by the master key. Forgetting a
// customer deletes the row: without it their personal data in the event log cannot be read.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pii_keys', (t) => {
    t.text('tenant').notNullable();
    t.text('customer_id').notNullable();
    t.binary('wrapped_key').notNullable();
    /** Which master key wrapped it (a fingerprint), so rotation can find what to re-wrap. */
    t.text('master_key_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant', 'customer_id']);
  });
  // What was forgotten and when, without anything personal: the proof an auditor asks for.
  await knex.schema.createTable('pii_keys_destroyed', (t) => {
    t.text('tenant').notNullable();
    t.text('customer_id').notNullable();
    t.timestamp('destroyed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant', 'customer_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pii_keys_destroyed');
  await knex.schema.dropTable('pii_keys');
}
