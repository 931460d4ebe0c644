import type { Knex } from 'knex';

// An idempotency record keeps its response (a customer, an order's shipping address) for the
// 24 h it is replayed. customer_id names the customer that response is about, so forgetting the
// customer deletes it; the index serves that delete.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table idempotency_keys add column customer_id text;
    create index idempotency_keys_customer on idempotency_keys (tenant, customer_id) where customer_id is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index idempotency_keys_customer; alter table idempotency_keys drop column customer_id');
}
