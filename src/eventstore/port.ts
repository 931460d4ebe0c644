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

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextExpectedRevision: number;
  /** Global position of the last appended event. */
  position: Position;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive start revision; defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: only events strictly after this position. Omit to start at the beginning. */
  after?: Position | null;
  maxCount: number;
  /** Only events of streams belonging to this tenant. */
  tenant?: string;
  /** Only events of these types (a replay that needs a few types skips the rest at the source). */
  types?: readonly string[];
}

export interface SubscribeToAllOptions {
  after?: Position | null;
  tenant?: string;
  /** Aborting ends the iteration. */
  signal?: AbortSignal;
}

export interface EventStore {
  readonly kind: 'postgres' | 'esdb' | 'memory';
  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;
  /** Events of a stream; [] when the stream does not exist. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
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
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  readonly eventId: string;

  constructor(eventId: string) {
    super(`event id ${eventId} already exists elsewhere`);
    this.eventId = eventId;
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
