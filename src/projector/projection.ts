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
  /**
   * A page as part of one statement (optional; projections in the public schema): the runner runs
   * the read-model marking, the stale-stream check, the checkpoint move and these CTEs as a single
   * statement, its own transaction, instead of begin, a statement, apply()'s statements and commit.
   * It must write what apply() writes (apply() still serves the event-by-event pass that parks
   * poison events). Every CTE must read from the CTE named `gate`, which has one row when the page
   * is applied and none otherwise. Null: these events write nothing.
   */
  statement?(events: readonly RecordedEvent[], gate: string): StatementPart | null;
  /**
   * A rebuild's fast path (optional): a Replayer that folds the log from the start into these
   * tables, empty when it begins, holding rows in memory and writing them in bulk. Must end with
   * the rows apply() would have made from the same events. Its events are read lean
   * (ReadAllOptions.lean): of the metadata only the tenant, no event id, no createdAt.
   */
  replay?(limits?: ReplayLimits): Replayer;
}

/** A projection's share of a page statement (see Projection.statement). */
export interface StatementPart {
  /** CTE definitions, comma-separated ("a as (…), b as (…)"); their placeholders are `?`. */
  ctes: string;
  bindings: unknown[];
  /** CTEs that do not modify data (e.g. one that notifies): they run only if the statement refers to them. */
  run?: readonly string[];
}

export interface ReplayLimits {
  /** Rows per write statement (default 1,000). */
  rowsPerStatement?: number;
  /** Rows held in memory between pages; the least recently changed beyond it are written out (default 100,000). */
  heldRows?: number;
}

/**
 * Folds consecutive pages of the log. Every call runs in a transaction of the caller, with the
 * tables to fill first on the search_path.
 */
export interface Replayer {
  /** The next events of the log, in order; rows may be written now or held for later pages. */
  apply(trx: Knex.Transaction, events: readonly RecordedEvent[]): Promise<void>;
  /** Writes every row still held that changed since it was last written, and waits for every write. */
  flush(trx: Knex.Transaction): Promise<void>;
  /**
   * Waits for the writes apply() left in flight on its transaction (throwing the first that
   * failed). A transaction that apply() wrote to must not commit before this: the statements are
   * queued on its connection in order, so later reads of it see them, but a failed one would turn
   * the COMMIT into a silent rollback.
   */
  drain(): Promise<void>;
}
