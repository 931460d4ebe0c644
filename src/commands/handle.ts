import { randomUUID } from 'node:crypto';
import type { Command, Decider, DomainEvent } from '../../domain/shared/decider.ts';
import { WrongExpectedVersionError, type EventStore, type NewEvent, type Position } from '../eventstore/port.ts';
import { currentVersion } from '../../domain/upcasters.ts';
import { derivedUuid } from '../ids.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { CommandContext } from './context.ts';
import { eventIdSeed, writtenUnderLegacyIds } from './legacy-event-ids.ts';
import { loadAggregate } from './load.ts';
import { ContentionError, VersionMismatchError } from './errors.ts';
import type { CachedState, StreamStateCache } from './state-cache.ts';

export interface CommandResult<E, S> {
  state: S;
  /** Stream revision + 1 after the command (0: the stream does not exist). */
  version: number;
  /** Log position of the stream's last event (the new one when something was appended). */
  position: Position | null;
  /** The events this command appended ([] when it changed nothing). */
  appended: E[];
}

export interface HandleOptions<C extends Command, E extends DomainEvent, S> {
  store: EventStore;
  metrics?: Metrics;
  stream: string;
  decider: Decider<C, E, S>;
  /**
   * The command, or a function of the current state (for commands that need to read first);
   * the function may return null for "nothing to do", which appends nothing.
   */
  command: C | ((state: S) => C | null | Promise<C | null>);
  ctx: CommandContext;
  /** From If-Match: refuse unless the resource is at exactly this version; `*`: unless it exists. */
  expectedVersion?: number | '*';
  /** Ids for the new events; jobs pass deterministic ones so a retry is a no-op. */
  eventId?: (index: number) => string;
  maxAttempts?: number;
  /**
   * The stream is named after an id made for this command: skip reading it. The append still
   * insists that the stream does not exist, and a conflict reads it as usual.
   */
  newStream?: boolean;
  /** Keeps the stream's folded state between commands (long, hot streams such as inventory). */
  cache?: StreamStateCache<S>;
}

/** Event ids derived from the request's Idempotency-Key (see CommandContext.idempotency), if any. */
function idempotentEventId(
  ctx: CommandContext,
  stream: string,
  commandType: string,
): ((index: number) => string) | null {
  const seed = ctx.idempotency?.seed;
  return seed ? (i) => derivedUuid(eventIdSeed(seed, stream, commandType, i)) : null;
}

async function loadState<S>(
  opts: Pick<HandleOptions<Command, DomainEvent, S>, 'store' | 'stream' | 'decider' | 'cache'>,
): Promise<CachedState<S>> {
  if (opts.cache) return opts.cache.load(opts.store, opts.stream);
  const { state, version, events } = await loadAggregate(opts.store, opts.stream, opts.decider);
  return { state, version, position: events[events.length - 1]?.position ?? null };
}

/**
 * load → decide → append with the expected revision. On a concurrency conflict without If-Match,
 * reload and decide again: the decision is always made on the state it is appended after.
 */
export async function handleCommand<C extends Command, E extends DomainEvent, S>(
  opts: HandleOptions<C, E, S>,
): Promise<CommandResult<E, S>> {
  const { store, stream, decider, ctx } = opts;
  const maxAttempts = opts.maxAttempts ?? 20;
  for (let attempt = 1; ; attempt++) {
    let { state, version, position } =
      opts.newStream && attempt === 1
        ? { state: decider.initialState(), version: 0, position: null }
        : await loadState(opts);
    // If-Match: * holds for any version of a stream that exists (RFC 9110 §13.1.1), else 412.
    if (opts.expectedVersion === '*' && version === 0) throw new VersionMismatchError('*', 0);
    const mismatch = typeof opts.expectedVersion === 'number' && opts.expectedVersion !== version;
    // A stream that does not exist (here: in this tenant) is the decider's "not found" (404), not a
    // version mismatch: If-Match on another tenant's id must look exactly like an unknown id.
    if (mismatch && version > 0) throw new VersionMismatchError(opts.expectedVersion!, version);
    const command = typeof opts.command === 'function' ? await opts.command(state) : opts.command;
    if (command === null) return { state, version, position, appended: [] };
    let decided: E[];
    try {
      decided = decider.decide(command, state);
    } catch (err) {
      opts.metrics?.commands.inc({ command: command.type, outcome: 'refused' });
      throw err;
    }
    if (mismatch) throw new VersionMismatchError(opts.expectedVersion!, version);
    opts.metrics?.commands.inc({ command: command.type, outcome: decided.length ? 'accepted' : 'unchanged' });
    if (decided.length === 0) return { state, version, position, appended: [] };

    const eventId = opts.eventId ?? idempotentEventId(ctx, stream, command.type);
    // A retry of a request an earlier release wrote (with the old id form): nothing to append.
    if (!opts.eventId && (await writtenUnderLegacyIds(store, ctx, stream, command.type)))
      return { ...(await loadState(opts)), appended: [] };
    const events: NewEvent[] = decided.map((e, i) => ({
      id: eventId ? eventId(i) : randomUUID(),
      type: e.type,
      data: e.data,
      metadata: {
        tenant: ctx.tenant,
        actor: ctx.actor,
        correlationId: ctx.correlationId,
        causationId: ctx.causationId,
        ...(ctx.idempotencyKey !== undefined ? { idempotencyKey: ctx.idempotencyKey } : {}),
        schemaVersion: currentVersion(e.type),
      },
    }));
    // The request's Idempotency-Key, when not recorded yet, is recorded by this append (same transaction).
    const pending = ctx.idempotency?.record;
    const record = pending && !pending.written && store.idempotencyRecords ? pending.write : undefined;
    try {
      const res = await store.appendToStream(stream, events, {
        expectedRevision: version === 0 ? 'no_stream' : version - 1,
        ...(record ? { idempotencyRecord: record } : {}),
      });
      if (record) pending!.written = true;
      for (const e of decided) opts.metrics?.appends.inc({ type: e.type });
      for (const e of decided) state = decider.evolve(state, e);
      // The same event ids were already stored (a retried request whose first attempt was written):
      // nothing new was appended, so answer with the stream as it is.
      if (res.nextExpectedRevision + 1 !== version + decided.length)
        return { ...(await loadState(opts)), appended: [] };
      // A new stream was not read first, so its revision cannot tell a retry: read back what is stored.
      // Not when this append recorded the key: the key was new, so were its derived event ids.
      if (opts.newStream && ctx.idempotency && !record) return { ...(await loadState(opts)), appended: decided };
      version = res.nextExpectedRevision + 1;
      position = res.position;
      opts.cache?.remember(stream, { state, version, position });
      return { state, version, position, appended: decided };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
      opts.metrics?.appendConflicts.inc();
      // `*` still holds after a concurrent write: decide again on the new state, as without If-Match.
      if (typeof opts.expectedVersion === 'number') {
        throw new VersionMismatchError(opts.expectedVersion, typeof err.actual === 'number' ? err.actual + 1 : 0);
      }
      if (attempt >= maxAttempts)
        throw new ContentionError(`gave up on ${stream} after ${attempt} conflicting attempts`);
      // Back off a little (with jitter) so a hot stream's writers do not retry in lock step.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
}
