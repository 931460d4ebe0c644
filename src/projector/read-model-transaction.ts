import type { Knex } from 'knex';

/**
 * The application_name a read-model transaction runs under. Log readers do not wait for such
 * transactions (es_log_horizon(), migrations/20261203000900_es_log_horizon.ts), so a projector's
 * batch never holds back the others; in return it may not append events (a trigger refuses it).
 */
export const READ_MODEL_APPLICATION_NAME = 'oms-readmodel';

/**
 * Streams of a projection to look up in stale_entities, in the same statement (see below). A stale
 * stream's later events are parked too (held back) instead of applied: read models skip an event at
 * or below a row's version, so applying a later event first would make the retry of the parked one
 * a silent no-op.
 */
export interface StaleProbe {
  projection: string;
  streams: readonly string[];
}

/**
 * First statement of every transaction that writes a read model: marks it (see above), commits it
 * without waiting for its WAL flush, and, for a projection with a schema of its own, puts that
 * schema first on the search_path. The settings end with the transaction. With a probe, the same
 * statement also returns which of its streams the projection has marked stale (a round trip
 * fewer per page than a query of its own; on a busy machine each one waits for a core).
 *
 * Why the asynchronous commit is safe: a read model and its checkpoint commit together, and
 * Postgres writes WAL in order, so a crash can only lose the newest read-model commits (at most
 * about three wal_writer_delay's worth), never one that an event append or any other synchronous
 * commit saw before it. The projector then replays those events from the older checkpoint. What it
 * saves: each batch no longer waits for a disk flush before the next one starts.
 */
export async function enterReadModelTransaction(
  trx: Knex.Transaction,
  schema?: string,
  probe?: StaleProbe,
): Promise<Set<string>> {
  const ownSchema = schema && schema !== 'public';
  const res = (await trx.raw(
    `select set_config('application_name', ?, true), set_config('synchronous_commit', 'off', true)
            ${ownSchema ? `, set_config('search_path', quote_ident(?) || ', public', true)` : ''}
            ${probe ? ', (select array_agg(distinct stream_name) from public.stale_entities where projection = ? and stream_name = any(?)) as stale' : ''}`,
    [
      READ_MODEL_APPLICATION_NAME,
      ...(ownSchema ? [schema] : []),
      ...(probe ? [probe.projection, probe.streams as string[]] : []),
    ],
  )) as { rows: { stale?: string[] | null }[] };
  return new Set(res.rows[0]?.stale ?? []);
}
