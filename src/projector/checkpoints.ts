import type { Knex } from 'knex';
import type { Position } from '../eventstore/port.ts';

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
