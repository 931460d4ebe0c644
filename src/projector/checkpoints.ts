import type { Knex } from 'knex';
import type { Position } from '../eventstore/port.ts';
import { checkpointMoveSql, markSql, moveBindings, READ_MODEL_APPLICATION_NAME } from './read-model-transaction.ts';

export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
}

interface Row {
  position_commit: string;
  position_prepare: string;
  events_processed: string;
  updated_at: Date;
}

export async function ensureCheckpoint(knex: Knex, name: string): Promise<void> {
  await knex('projection_checkpoints').insert({ name }).onConflict('name').ignore();
}

export async function readCheckpoint(
  knex: Knex | Knex.Transaction,
  name: string,
): Promise<{ position: Position | null; eventsProcessed: number; updatedAt: Date } | null> {
  const row = (await knex('projection_checkpoints').where({ name }).first()) as Row | undefined;
  if (!row) return null;
  const position = { commit: BigInt(row.position_commit), prepare: BigInt(row.position_prepare) };
  return {
    position: position.commit === 0n && position.prepare === 0n ? null : position,
    eventsProcessed: Number(row.events_processed),
    updatedAt: row.updated_at,
  };
}

/**
 * Moves a checkpoint from `from` to `to`, inside the caller's transaction. Fails loudly when the
 * checkpoint is not where this writer last saw it (another instance moved it): the transaction
 * then rolls back with its read-model writes, so no event is applied twice or skipped.
 */
export async function advanceCheckpoint(
  trx: Knex.Transaction,
  name: string,
  from: Position | null,
  to: Position,
  count: number,
): Promise<void> {
  const updated = await trx('projection_checkpoints')
    .where({
      name,
      position_commit: (from?.commit ?? 0n).toString(),
      position_prepare: (from?.prepare ?? 0n).toString(),
    })
    .update({
      position_commit: to.commit.toString(),
      position_prepare: to.prepare.toString(),
      events_processed: trx.raw('events_processed + ?', [count]),
      updated_at: trx.fn.now(),
    });
  if (updated !== 1) throw new CheckpointConflictError(`checkpoint of ${name} moved under this writer`);
}

/**
 * advanceCheckpoint for a page that holds nothing for the projection: the checkpoint alone, in one
 * statement that is its own transaction, instead of begin, mark, update and commit. It is marked
 * and committed as a read-model transaction is (read-model-transaction.ts), and fails the same way
 * when the checkpoint moved under this writer. Most pages hold nothing for most projections (a
 * flash sale's pages hold no customer, shipment, return or location event), so this is most of the
 * projector's checkpoint writes.
 */
export async function advanceIdleCheckpoint(
  knex: Knex,
  name: string,
  from: Position | null,
  to: Position,
  count: number,
): Promise<void> {
  // A materialized CTE in the update's FROM runs before the row is written (and so before the
  // transaction takes its id); its settings last until this statement's implicit commit.
  const res = await knex.raw(`with ${markSql()} ${checkpointMoveSql('mark')}`, [
    READ_MODEL_APPLICATION_NAME,
    ...moveBindings({ name, from, to, count }),
  ]);
  if (res.rowCount !== 1) throw new CheckpointConflictError(`checkpoint of ${name} moved under this writer`);
}
