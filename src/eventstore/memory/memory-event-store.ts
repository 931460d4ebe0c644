/**
 * An in-memory adapter of the event store port, for tests: fast given/when/then specs of command
 * handlers, and any unit test that needs an EventStore without Postgres, EventStoreDB or Redis.
 * NOT FOR PRODUCTION: nothing is persisted, the whole log lives in one process's heap, and it is
 * lost when the process ends. It passes the same contract suite as the Postgres and EventStoreDB
 * adapters (test/contract/eventstore.contract.ts).
 *
 * Behaviour (where the port leaves a choice, as the Postgres adapter's es_append in migrations/):
 *  - Revisions are 0-based. A Position is { commit, prepare }, both the event's 1-based global
 *    sequence number, so positions strictly increase. Every event is visible as soon as its
 *    append resolves (there are no open transactions to wait for).
 *  - Idempotent append: when every id of the batch is already stored in this stream, the append
 *    writes nothing, whatever the expected revision, and answers with the stream's CURRENT revision
 *    and the position of the batch's last event. An id already stored in another stream, some but
 *    not all ids already stored, or one id twice in the batch: DuplicateEventIdError, after the
 *    expected revision is checked for new events. It names the offending id (Postgres: the first).
 *  - Event ids must be UUIDs (Postgres stores them as uuid) and are compared and read back in
 *    lower case, as Postgres does.
 *  - An append is atomic: all checks and writes run without an await in between, so concurrent
 *    appends are serialised and exactly one of many writers with the same expected revision wins.
 *    So is a multi-stream append (appendToStreams): every write is checked before any is applied.
 *  - The tenant of an event is the prefix of its stream name (tenantOfStream), as the port says.
 *    (Postgres filters on metadata.tenant, which the application sets to the same.)
 *  - Data and metadata are deep-copied (structuredClone) on append and on every read, so callers
 *    cannot change what is stored. Note that a structured clone keeps what a JSON store would not
 *    (Dates, undefined, Maps): events that rely on that would differ in production.
 *  - createdAt comes from the injectable clock, read once per append.
 *  - subscribeToAll does not poll: a subscription that has caught up waits until the next append,
 *    an abort, or close(). close() ends live subscriptions; afterwards every call rejects.
 */
import {
  checkStreamWrites,
  comparePositions,
  tenantOfStream,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamRead,
  type RecordedEvent,
  type StreamWrite,
  type SubscribeToAllOptions,
} from '../port.ts';
import { checkExpectedRevision, checkNoRepeatedId, eventIdOf, isRetry } from './append-rules.ts';
import { AppendWaiters } from './append-waiters.ts';

export interface MemoryEventStoreOptions {
  /** Gives createdAt; read once per append. Defaults to the system clock. */
  clock?: () => Date;
}

/** The store's own copy of an event: never handed out, only clones of it. */
interface Stored {
  readonly event: RecordedEvent;
  readonly tenant: string;
}

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min))
    throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
}

const copyOf = (s: Stored): RecordedEvent => structuredClone(s.event);
const copyPosition = (p: Position): Position => ({ commit: p.commit, prepare: p.prepare });

export class MemoryEventStore implements EventStore {
  readonly kind = 'memory' as const;
  readonly atomicMultiStreamAppend = true;
  readonly idempotencyRecords = false;
  private readonly clock: () => Date;
  /** The global log, in position order. */
  private readonly log: Stored[] = [];
  /** Each stream's events; an event's revision is its index here. */
  private readonly streams = new Map<string, Stored[]>();
  private readonly byId = new Map<string, Stored>();
  private readonly waiters = new AppendWaiters();
  private closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
  }

  async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const [result] = await this.appendToStreams([
      { streamName: stream, events, expectedRevision: options.expectedRevision ?? 'any' },
    ]);
    return result!;
  }

  /** Every write is checked before any is applied, with no await in between: all or nothing. */
  async appendToStreams(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    this.assertOpen();
    checkStreamWrites(writes);
    // Ids of the writes checked so far, so a later write sees them as stored (in their stream).
    const pending = new Map<string, string>();
    const streamOf = (id: string) => pending.get(id) ?? this.byId.get(id)?.event.streamName;
    const plans = writes.map((w) => {
      const ids = w.events.map(eventIdOf);
      const copies = w.events.map((e) => ({
        type: e.type,
        data: structuredClone(e.data),
        meta: structuredClone(e.metadata),
      }));
      const existing = this.streams.get(w.streamName);
      const retry = isRetry(w.streamName, ids, streamOf);
      if (!retry) {
        checkExpectedRevision(w.streamName, w.expectedRevision ?? 'any', existing ? existing.length - 1 : 'no_stream');
        checkNoRepeatedId(ids);
        for (const id of ids) pending.set(id, w.streamName);
      }
      return { stream: w.streamName, ids, copies, retry };
    });

    const at = this.clock().getTime();
    const results = plans.map((p) => {
      if (p.retry) {
        const last = this.byId.get(p.ids[p.ids.length - 1]!)!;
        return {
          nextExpectedRevision: this.streams.get(p.stream)!.length - 1,
          position: copyPosition(last.event.position),
        };
      }
      return this.write(p.stream, p.ids, p.copies, at);
    });
    this.waiters.wakeAll();
    return results;
  }

  /** Appends checked events to the log and their stream. */
  private write(
    stream: string,
    ids: readonly string[],
    copies: readonly { type: string; data: unknown; meta: RecordedEvent['metadata'] }[],
    at: number,
  ): AppendResult {
    const tenant = tenantOfStream(stream);
    const streamEvents = this.streams.get(stream) ?? [];
    this.streams.set(stream, streamEvents);
    let position: Position | undefined;
    for (const [i, c] of copies.entries()) {
      const sequence = BigInt(this.log.length + 1);
      position = { commit: sequence, prepare: sequence };
      const event: RecordedEvent = {
        id: ids[i]!,
        type: c.type,
        streamName: stream,
        revision: streamEvents.length,
        position,
        data: c.data,
        metadata: c.meta,
        createdAt: new Date(at),
      };
      const s: Stored = { event, tenant };
      this.log.push(s);
      streamEvents.push(s);
      this.byId.set(event.id, s);
    }
    return { nextExpectedRevision: streamEvents.length - 1, position: copyPosition(position!) };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkCount('fromRevision', options.fromRevision, Number.MIN_SAFE_INTEGER);
    checkCount('maxCount', options.maxCount, 0);
    const events = this.streams.get(stream) ?? [];
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    const out: RecordedEvent[] = [];
    if (options.direction === 'backwards') {
      const from = Math.min(options.fromRevision ?? events.length - 1, events.length - 1);
      for (let r = from; r >= 0 && out.length < limit; r--) out.push(copyOf(events[r]!));
    } else {
      const from = Math.max(options.fromRevision ?? 0, 0);
      for (let r = from; r < events.length && out.length < limit; r++) out.push(copyOf(events[r]!));
    }
    return out;
  }

  async readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]> {
    const out: RecordedEvent[][] = [];
    for (const r of reads)
      out.push(await this.readStream(r.streamName, { fromRevision: Math.max(0, r.fromRevision ?? 0) }));
    return out;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkCount('maxCount', options.maxCount, 0);
    const types = options.types ? new Set(options.types) : null;
    const out: RecordedEvent[] = [];
    for (let i = this.firstAfter(options.after ?? null); i < this.log.length && out.length < options.maxCount; i++) {
      const s = this.log[i]!;
      if (options.tenant !== undefined && s.tenant !== options.tenant) continue;
      if (types !== null && !types.has(s.event.type)) continue;
      out.push(copyOf(s));
    }
    return out;
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const { signal, tenant } = options;
    let next = this.firstAfter(options.after ?? null);
    for (;;) {
      if (signal?.aborted || this.closed) return;
      const s = this.log[next];
      if (s === undefined) {
        await this.waiters.next(signal);
        continue;
      }
      next++;
      if (tenant === undefined || s.tenant === tenant) yield copyOf(s);
    }
  }

  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    const last = this.log[this.log.length - 1];
    return last ? copyPosition(last.event.position) : null;
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  /** Ends live subscriptions; later calls reject. Closing again does nothing. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiters.wakeAll();
  }

  /** Index in the log of the first event strictly after `after` (binary search). */
  private firstAfter(after: Position | null): number {
    if (after === null) return 0;
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePositions(this.log[mid]!.event.position, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the memory event store is closed');
  }
}
