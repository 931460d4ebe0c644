import type { Knex } from 'knex';
import type { Position } from '../eventstore/port.ts';
import type { StatementPart } from './projection.ts';

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
  return (await enterPageTransaction(trx, schema, probe)).stale;
}

/** A checkpoint to move from `from` to `to` (`count` events), if it is still at `from`. */
export interface CheckpointMove {
  name: string;
  from: Position | null;
  to: Position;
  count: number;
}

/**
 * The CTE `mark` that makes a transaction a read-model one (its binding: READ_MODEL_APPLICATION_NAME,
 * then those of `extra`). Materialized and read by the statement's first write, so its settings are
 * made before the transaction takes an id.
 */
export const markSql = (extra = '') =>
  `mark as materialized (
     select set_config('application_name', ?, true) as a, set_config('synchronous_commit', 'off', true) as b${extra})`;

/** The bindings of checkpointMoveSql, in order. */
export function moveBindings(move: CheckpointMove): Knex.RawBinding[] {
  return [
    move.to.commit.toString(),
    move.to.prepare.toString(),
    move.count,
    move.name,
    (move.from?.commit ?? 0n).toString(),
    (move.from?.prepare ?? 0n).toString(),
  ];
}

/** The checkpoint update of a page, if the checkpoint is still where the writer saw it; `from` names the CTEs it waits for. */
export const checkpointMoveSql = (from: string, condition = '') => `
  update public.projection_checkpoints
     set position_commit = ?, position_prepare = ?, events_processed = events_processed + ?, updated_at = now()
    from ${from}
   where ${condition}name = ? and position_commit = ? and position_prepare = ?
  returning 1`;

/**
 * enterReadModelTransaction that also moves the page's checkpoint, in the same first statement:
 * `moved` is false when the checkpoint was not at `move.from` (another writer moved it; the caller
 * must roll back). The move commits or rolls back with the page's writes, wherever in the
 * transaction it is made; made here it costs no round trip of its own. The settings are made in a
 * materialized CTE the update reads, so before the transaction takes its id (see es_log_horizon).
 */
export async function enterPageTransaction(
  trx: Knex.Transaction,
  schema?: string,
  probe?: StaleProbe,
  move?: CheckpointMove,
): Promise<{ stale: Set<string>; moved: boolean }> {
  const ownSchema = schema && schema !== 'public';
  const res = (await trx.raw(
    `with ${markSql(ownSchema ? `, set_config('search_path', quote_ident(?) || ', public', true) as c` : '')}
     ${move ? `, moved as (${checkpointMoveSql('mark')})` : ''}
     select ${move ? '(select count(*) from moved)' : '(select count(*) from mark)'} as moved
            ${probe ? ', (select array_agg(distinct stream_name) from public.stale_entities where projection = ? and stream_name = any(?)) as stale' : ''}`,
    [
      READ_MODEL_APPLICATION_NAME,
      ...(ownSchema ? [schema] : []),
      ...(move ? moveBindings(move) : []),
      ...(probe ? [probe.projection, probe.streams as string[]] : []),
    ],
  )) as { rows: { moved: string; stale?: string[] | null }[] };
  const row = res.rows[0];
  return { stale: new Set(row?.stale ?? []), moved: Number(row?.moved ?? 0) === 1 };
}

/**
 * A whole page in one statement, its own transaction (see Projection.statement): marks it as a
 * read-model transaction, looks up stale streams, moves the checkpoint if it is still at
 * `move.from` and no stream is stale, and runs the projection's CTEs only then. One round trip
 * where a transaction takes four.
 */
export async function applyPageStatement(
  knex: Knex,
  probe: StaleProbe,
  move: CheckpointMove,
  part: StatementPart | null,
): Promise<{ stale: Set<string>; moved: boolean }> {
  const res = (await knex.raw(
    `with ${markSql()},
     probe as materialized (
       select array_agg(distinct stream_name) as stale from public.stale_entities where projection = ? and stream_name = any(?)),
     moved as (${checkpointMoveSql('mark, probe', 'probe.stale is null and ')})
     ${part ? `, ${part.ctes}` : ''}
     select (select count(*) from moved) as moved, (select stale from probe) as stale
            ${(part?.run ?? []).map((cte) => `, (select count(*) from ${cte})`).join('')}`,
    [
      READ_MODEL_APPLICATION_NAME,
      probe.projection,
      probe.streams as string[],
      ...moveBindings(move),
      ...((part?.bindings ?? []) as Knex.RawBinding[]),
    ],
  )) as { rows: { moved: string; stale: string[] | null }[] };
  const row = res.rows[0];
  return { stale: new Set(row?.stale ?? []), moved: Number(row?.moved ?? 0) === 1 };
}
