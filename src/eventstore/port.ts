// The event store port: what the application needs from an event store. Three adapters implement
// it (postgres/ the default, esdb/ for EventStoreDB in production, memory/ for fast specs) and all
// must pass the one contract suite in test/contract/.
//
// Revisions are 0-based stream positions (the first event of a stream has revision 0), as in
// EventStoreDB. The HTTP "version" of a resource is revision + 1.
// A Position is a point in the global log, a pair compared lexicographically: for EventStoreDB the
// transaction log's { commit, prepare }, for Postgres the writer's { transaction id, sequence }, for
// the memory store its append sequence twice.

export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventMetadata {
  tenant: string;
  /** Who caused it: an API key id, a client id, or `system:<process>` for jobs. */
  actor: string;
  correlationId: string;
  causationId: string | null;
  idempotencyKey?: string;
  /** Version of the event's data shape (for upcasting). */
  schemaVersion?: number;
  [key: string]: unknown;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** A UUID. Appending the same ids again to the same stream is a no-op (idempotent append). */
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  id: string;
  type: Type;
  streamName: string;
  revision: number;
  position: Position;
  data: Data;
  metadata: EventMetadata;
  /** When the store recorded it. */
  createdAt: Date;
}

/**
 * An Idempotency-Key's record (table idempotency_keys), written in the transaction of the append
 * that carries it: the events and the key's claim are committed together or not at all. It is
 * written `running` with a lease; the HTTP layer stores the response in it afterwards.
 */
export interface IdempotencyRecordWrite {
  tenant: string;
  key: string;
  /** The request's fingerprint (method, path, canonical body). */
  fingerprint: string;
  /** The key's first use (ms since the epoch): its created_at, the time part of the ids it derives. */
  since: number;
  leaseSeconds: number;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
  /** Only for stores whose `idempotencyRecords` is true. A key already recorded: IdempotencyKeyTakenError, nothing written. */
  idempotencyRecord?: IdempotencyRecordWrite;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextExpectedRevision: number;
  /** Global position of the last appended event. */
  position: Position;
}

/** One stream's part of a multi-stream append (EventStore.appendToStreams). */
export interface StreamWrite {
  streamName: string;
  events: readonly NewEvent[];
  /** As appendToStream's; defaults to 'any'. */
  expectedRevision?: ExpectedRevision;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive start revision; defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

/** One stream's part of a multi-stream read (EventStore.readStreams). */
export interface StreamRead {
  streamName: string;
  /** Inclusive; defaults to 0 (the whole stream). */
  fromRevision?: number;
}

export interface ReadAllOptions {
  /** Exclusive: only events strictly after this position. Omit to start at the beginning. */
  after?: Position | null;
  maxCount: number;
  /** Only events of streams belonging to this tenant. */
  tenant?: string;
  /** Only events of these types (a replay that needs a few types skips the rest at the source). */
  types?: readonly string[];
  /**
   * Only what a projection's replay reads (type, stream, revision, position, data, tenant): `id` is
   * '' and `createdAt` the epoch, and `metadata` holds only `tenant` (and `schemaVersion`, which
   * upcasting reads). A rebuild folds millions of events; reading and parsing the rest of each row
   * cost about a tenth of its time. A store may ignore it and return whole events.
   */
  lean?: boolean;
}

export interface SubscribeToAllOptions {
  after?: Position | null;
  tenant?: string;
  /** Aborting ends the iteration. */
  signal?: AbortSignal;
}

export interface EventStore {
  readonly kind: 'postgres' | 'esdb' | 'memory';
  appendToStream(streamName: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /**
   * Appends to several streams: one result per write, in write order. Each write follows
   * appendToStream's rules for its stream (expected revision, idempotent by event id: a write whose
   * ids are all stored already in its stream writes nothing and answers with the stream's current
   * revision and the position of its last event). Each stream at most once per call, and at least
   * one event per write; otherwise an Error and nothing is written. No writes: []. The events of a call take
   * positions in write order.
   *
   * When `atomicMultiStreamAppend` is true (Postgres, memory), the call is all or nothing: a
   * WrongExpectedVersionError (naming the stream that failed) or a DuplicateEventIdError leaves
   * every stream as it was, and concurrent calls are serialised per stream, so readers never see
   * part of a call.
   *
   * When it is false (EventStoreDB: its client has no multi-stream transaction), the writes are
   * appended one after the other and a failure stops at that write: the writes before it ARE
   * appended, the ones after are not. A caller that needs every write recovers by retrying the
   * whole call with the same event ids (and the same expected revisions): the writes already
   * appended are then no-ops, so a crash or a failure between two streams is healed by the retry.
   * A caller must not compute new events after such a failure as if nothing had been written.
   */
  appendToStreams(writes: readonly StreamWrite[]): Promise<AppendResult[]>;
  /** See appendToStreams: whether a multi-stream append is one transaction. */
  readonly atomicMultiStreamAppend: boolean;
  /**
   * Whether appendToStream takes AppendOptions.idempotencyRecord (Postgres: the record lives in
   * the same database). The others are never given one.
   */
  readonly idempotencyRecords: boolean;
  /** Events of a stream; [] when the stream does not exist. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Several streams, each forwards from its `fromRevision`: one result per read, in read order
   * ([] for a stream that does not exist). Postgres answers in one query, the others stream by
   * stream. For callers that need many streams at once (a batch of orders to allocate).
   */
  readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]>;
  /** A page of the global log in log order, strictly after `after`. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Catch-up subscription to the global log: every event strictly after `after`, in log order,
   * then live ones. Consume it with `for await`; break or abort to stop.
   */
  subscribeToAll(options?: SubscribeToAllOptions): AsyncIterable<RecordedEvent>;
  /** Position of the newest event a reader can see, or null when the log is empty. */
  headPosition(): Promise<Position | null>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  readonly actual: number | 'no_stream';

  constructor(streamName: string, expected: ExpectedRevision, actual: number | 'no_stream') {
    super(`wrong expected version for ${streamName}: expected ${String(expected)}, actual ${String(actual)}`);
    this.streamName = streamName;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Same event id appended to a different stream or with a different position. */
/** The append's idempotencyRecord names a key another request has recorded: nothing was written. */
export class IdempotencyKeyTakenError extends Error {
  override readonly name = 'IdempotencyKeyTakenError';
  readonly tenant: string;
  readonly key: string;

  constructor(tenant: string, key: string) {
    super(`Idempotency-Key ${key} is already recorded`);
    this.tenant = tenant;
    this.key = key;
  }
}

export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  readonly eventId: string;

  constructor(eventId: string) {
    super(`event id ${eventId} already exists elsewhere`);
    this.eventId = eventId;
  }
}

/** The checks every adapter makes before a multi-stream append writes anything. */
export function checkStreamWrites(writes: readonly StreamWrite[]): void {
  const seen = new Set<string>();
  for (const w of writes) {
    if (w.events.length === 0) throw new Error(`appendToStreams: the write to ${w.streamName} has no events`);
    if (seen.has(w.streamName))
      throw new Error(`appendToStreams: ${w.streamName} appears twice (merge its events into one write)`);
    seen.add(w.streamName);
  }
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** The URL-safe text form used in Oms-Position headers, feed cursors and checkpoints. */
export function formatPosition(p: Position): string {
  return `${p.commit}-${p.prepare}`;
}

export function parsePosition(text: string): Position | null {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(text);
  if (!m) return null;
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) };
}

/** Stream names carry the tenant first, so a tenant's feed is a prefix filter on both stores. */
export function streamName(tenant: string, category: string, id: string): string {
  return `${tenant}:${category}:${id}`;
}

export function tenantOfStream(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? '' : name.slice(0, i);
}

/** The entity id part of `<tenant>:<category>:<id>`. */
export function idOfStream(name: string): string {
  return name.split(':').slice(2).join(':');
}
