import type { Knex } from 'knex';

// es_append keeps its query plans for the life of a connection (PL/pgSQL caches them), and a plan
// made while es_events was small is a sequential scan. Nothing replans it while the log grows unless
// ANALYZE runs (autovacuum off, or not yet), so the duplicate-event check of every append on that
// connection went on scanning the whole log: tens of thousands of rows per append in the benchmark.
// Every lookup in es_append has an index; with sequential scans priced out, every cached plan uses it.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter function es_append(text, text, bigint, jsonb) set enable_seqscan = off');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter function es_append(text, text, bigint, jsonb) reset enable_seqscan');
}
