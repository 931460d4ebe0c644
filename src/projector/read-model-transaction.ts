import type { Knex } from 'knex';

/**
 * The application_name a read-model transaction runs under. Log readers do not wait for such
 * transactions (es_log_horizon(), migrations/20261203000900_es_log_horizon.ts), so a projector's
 * batch never holds back the others; in return it may not append events (a trigger refuses it).
 */
export const READ_MODEL_APPLICATION_NAME = 'oms-readmodel';

/**
 * First statement of every transaction that writes a read model: marks it (see above), commits it
 * without waiting for its WAL flush, and, for a projection with a schema of its own, puts that
 * schema first on the search_path. The settings end with the transaction.
 *
 * Why the asynchronous commit is safe: a read model and its checkpoint commit together, and
 * Postgres writes WAL in order, so a crash can only lose the newest read-model commits (at most
 * about three wal_writer_delay's worth), never one that an event append or any other synchronous
 * commit saw before it. The projector then replays those events from the older checkpoint. What it
 * saves: each batch no longer waits for a disk flush before the next one starts.
 */
export async function enterReadModelTransaction(trx: Knex.Transaction, schema?: string): Promise<void> {
  if (schema && schema !== 'public')
    await trx.raw(
      `select set_config('application_name', ?, true), set_config('synchronous_commit', 'off', true),
              set_config('search_path', quote_ident(?) || ', public', true)`,
      [READ_MODEL_APPLICATION_NAME, schema],
    );
  else
    await trx.raw(`select set_config('application_name', ?, true), set_config('synchronous_commit', 'off', true)`, [
      READ_MODEL_APPLICATION_NAME,
    ]);
}
