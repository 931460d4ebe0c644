import type { IdempotencyRecordWrite } from '../eventstore/port.ts';
import { derivedId, newId, type IdPrefix } from '../ids.ts';

/**
 * An Idempotency-Key not recorded yet, to be recorded by the request's first append (in its
 * transaction: see AppendOptions.idempotencyRecord). `written` turns true once an append did.
 */
export interface PendingIdempotencyRecord {
  readonly write: IdempotencyRecordWrite;
  written: boolean;
}

/** What an Idempotency-Key gives the commands of its request (see CommandContext.idempotency). */
export interface IdempotencyScope {
  seed: string;
  /** First use of the key (ms): the time part of derived ids. */
  since: number;
  /** Present when the key's record is to be written with the first append (not claimed up front). */
  record?: PendingIdempotencyRecord;
}

/** Who and what a command runs for; becomes every appended event's metadata. */
export interface CommandContext {
  tenant: string;
  /** API key id, OAuth client id, or `system:<job>` for side effects. */
  actor: string;
  correlationId: string;
  /** The event that led to this command (jobs), or null for a client request. */
  causationId: string | null;
  idempotencyKey?: string;
  /**
   * Present when the request carries an Idempotency-Key: a digest of tenant, key and request. The
   * ids the command makes (the new resource's id, every event id) derive from it, so retrying a
   * request whose first attempt was written but never answered (a crash, a lost connection)
   * finds the same ids already stored and writes nothing new.
   */
  idempotency?: IdempotencyScope;
  /** RFC 3339; the only clock the domain ever sees. */
  now: string;
}

const issued = new WeakMap<CommandContext, Map<string, number>>();

/** The id of a resource a command creates: derived from the Idempotency-Key when there is one. */
export function newResourceId(ctx: CommandContext, prefix: IdPrefix): string {
  if (!ctx.idempotency) return newId(prefix);
  let counts = issued.get(ctx);
  if (!counts) {
    counts = new Map();
    issued.set(ctx, counts);
  }
  const n = counts.get(prefix) ?? 0;
  counts.set(prefix, n + 1);
  return derivedId(prefix, ctx.idempotency.since, `${ctx.idempotency.seed}\n${n}`);
}
