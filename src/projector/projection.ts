import type { Knex } from 'knex';
import type { RecordedEvent } from '../eventstore/port.ts';

/**
 * A read model: the event types it handles and how a batch of them becomes rows. apply() runs
 * inside the transaction that also moves the projection's checkpoint, so rows and checkpoint
 * can never disagree.
 */
export interface Projection {
  name: string;
  /** Event types this projection reads; others only move its checkpoint. */
  handles: readonly string[];
  /** Tables it owns (replaced on rebuild, compared by verify), unqualified. */
  tables: readonly string[];
  /** The schema its tables live in (default public); apply() runs with it first on the search_path. */
  schema?: string;
  apply(trx: Knex.Transaction, events: readonly RecordedEvent[]): Promise<void>;
}
