// TEST STAND-IN, not EventStoreDB. The in-memory log behind the EventStoreDB protocol stand-in
// (see server.ts). It copies the storage rules of an EventStoreDB 24.10 single node that the
// gRPC client and our adapter can observe:
//  - the write check (IndexWriter.CheckCommit): expected version any (-2), no_stream (-1),
//    stream_exists (-4) or an exact revision; idempotent re-sends of already written event ids,
//    answered with the revisions and log position of the original write; partly matching
//    re-sends ("corrupted idempotency") refused as a wrong expected version;
//  - positions: every event is its own commit (commit = prepare = the event's log position), as
//    for every write since v20. A write's result carries the position of its last event;
//  - log positions are byte offsets that grow by each record's size, so they are not 0, 1, 2...
//    and a position that is not the start of an event is refused as an invalid position;
//  - stream revisions from 0, "created" in ticks (100 ns) since the Unix epoch, data and custom
//    metadata kept as the bytes the client sent, the JSON flag from the content type.
// What it does NOT do: stream deletion and tombstones, stream metadata ($$ streams: max count, max
// age, truncate before, ACLs), explicit transactions, link events, scavenging, persistence, the
// bounded size of the server's recent-event-id cache (here every id is remembered), the
// "idempotent but not yet replicated" case (there is no cluster).
// The server writes a few system records of its own; this log starts with one $epoch-information
// event so that readers meet a system event, as on a fresh node.

/** Expected versions as EventStoreDB encodes them internally (ExpectedVersion.*). */
export const ExpectedVersion = { Any: -2, NoStream: -1, StreamExists: -4 } as const;

export interface ProposedEvent {
  /** Lower-case UUID text (.NET Guid.ToString()). */
  id: string;
  type: string;
  isJson: boolean;
  data: Uint8Array;
  metadata: Uint8Array;
}

export interface LogEvent extends ProposedEvent {
  streamName: string;
  revision: number;
  /** Log position of the event; its $all position is { commit: position, prepare: position }. */
  position: number;
  /** Ticks (100 ns) since the Unix epoch, as the server's "created" metadata entry. */
  createdTicks: bigint;
}

export type WriteResult =
  | { kind: 'success'; firstEventNumber: number; lastEventNumber: number; position: number }
  | { kind: 'wrong_expected_version'; currentVersion: number };

export type AllPosition = { commit: number; prepare: number };

/** Size of a prepare record apart from its variable parts (a v2 prepare header plus length prefix and suffix). */
const RECORD_OVERHEAD = 96;
/** The chunk header and the epoch record come first, so the first event does not sit at 0. */
const FIRST_RECORD_AT = 128;

export class TransactionLog {
  private readonly events: LogEvent[] = [];
  private readonly streams = new Map<string, LogEvent[]>();
  /** The server's committed-event cache: event id → where it was written. */
  private readonly committedIds = new Map<string, { streamName: string; revision: number }>();
  private readonly appendListeners = new Set<() => void>();
  private end = FIRST_RECORD_AT;

  private readonly clock: () => Date;

  constructor(clock: () => Date = () => new Date()) {
    this.clock = clock;
    const epoch = new TextEncoder().encode(JSON.stringify({ epochNumber: 0, epochPosition: 0 }));
    this.commit('$epoch-information', -1, [
      {
        id: '00000000-0000-4000-8000-000000000000',
        type: '$epoch-information',
        isJson: true,
        data: epoch,
        metadata: new Uint8Array(),
      },
    ]);
  }

  /** The writer checkpoint: where the next record goes. */
  get endPosition(): number {
    return this.end;
  }

  get size(): number {
    return this.events.length;
  }

  at(index: number): LogEvent | undefined {
    return this.events[index];
  }

  /** Last revision of a stream, -1 when it does not exist. */
  lastRevision(streamName: string): number {
    return (this.streams.get(streamName)?.length ?? 0) - 1;
  }

  write(streamName: string, expectedVersion: number, proposed: readonly ProposedEvent[]): WriteResult {
    const check = this.checkCommit(
      streamName,
      expectedVersion,
      proposed.map((e) => e.id),
    );
    if (check.kind !== 'ok') return check;
    return this.commit(streamName, this.lastRevision(streamName), proposed);
  }

  /** A port of IndexWriter.CheckCommit (24.10) without deleted streams and metadata streams. */
  private checkCommit(
    streamName: string,
    expectedVersion: number,
    eventIds: readonly string[],
  ): { kind: 'ok' } | WriteResult {
    const current = this.lastRevision(streamName);
    const wrong = { kind: 'wrong_expected_version', currentVersion: current } as const;
    if (expectedVersion === ExpectedVersion.StreamExists && current < 0) return wrong;

    if (expectedVersion === ExpectedVersion.Any || expectedVersion === ExpectedVersion.StreamExists) {
      let start = -1;
      let last = -1;
      for (const [i, id] of eventIds.entries()) {
        const known = this.committedIds.get(id);
        // The first id unknown here means a new write; a later one means a partial re-send.
        if (!known || known.streamName !== streamName) return i === 0 ? { kind: 'ok' } : wrong;
        if (i === 0) start = known.revision;
        last = known.revision;
      }
      if (eventIds.length === 0) return { kind: 'ok' };
      return this.idempotent(streamName, start, last);
    }

    if (expectedVersion < current) {
      let revision = expectedVersion;
      for (const id of eventIds) {
        revision += 1;
        if (this.streams.get(streamName)?.[revision]?.id === id) continue;
        // A mismatch on the first event is an ordinary conflict, on a later one a partial re-send:
        // both are answered as a wrong expected version.
        return wrong;
      }
      if (revision === expectedVersion) return wrong; // no events
      return this.idempotent(streamName, expectedVersion + 1, revision);
    }

    if (expectedVersion > current) return wrong;
    return { kind: 'ok' };
  }

  /** An already written batch: success with its own revisions and the position of its last event. */
  private idempotent(streamName: string, first: number, last: number): WriteResult {
    const event = this.streams.get(streamName)?.[last];
    return { kind: 'success', firstEventNumber: first, lastEventNumber: last, position: event?.position ?? -1 };
  }

  private commit(streamName: string, current: number, proposed: readonly ProposedEvent[]): WriteResult {
    if (proposed.length === 0)
      return { kind: 'success', firstEventNumber: current + 1, lastEventNumber: current, position: -1 };
    const createdTicks = BigInt(this.clock().getTime()) * 10_000n;
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    let last: LogEvent | undefined;
    for (const e of proposed) {
      last = { ...e, streamName, revision: stream.length, position: this.end, createdTicks };
      this.end += recordSize(last);
      stream.push(last);
      this.events.push(last);
      this.committedIds.set(e.id, { streamName, revision: last.revision });
    }
    for (const notify of [...this.appendListeners]) notify();
    return {
      kind: 'success',
      firstEventNumber: current + 1,
      lastEventNumber: last!.revision,
      position: last!.position,
    };
  }

  /** The stream's events from `from` on (inclusive), in the given direction; null when it does not exist. */
  readStream(
    streamName: string,
    from: 'start' | 'end' | number,
    direction: 'forwards' | 'backwards',
    maxCount: number,
  ): LogEvent[] | null {
    const stream = this.streams.get(streamName);
    if (!stream) return null;
    if (direction === 'forwards') {
      const start = from === 'start' ? 0 : from === 'end' ? stream.length : from;
      return stream.slice(start, start + maxCount);
    }
    const top = from === 'end' ? stream.length - 1 : from === 'start' ? 0 : Math.min(from, stream.length - 1);
    const out: LogEvent[] = [];
    for (let r = top; r >= 0 && out.length < maxCount; r--) out.push(stream[r]!);
    return out;
  }

  /**
   * Index in the log of the first event at or after `position`, or 'invalid' for a position that
   * points into the middle of a record (the server refuses such a read).
   */
  indexOf(position: AllPosition | 'start' | 'end'): number | 'invalid' {
    if (position === 'start') return 0;
    if (position === 'end') return this.events.length;
    if (position.commit === 0 && position.prepare === 0) return 0;
    if (position.commit >= this.end) return this.events.length;
    if (position.commit !== position.prepare) return 'invalid';
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.position < position.commit) lo = mid + 1;
      else hi = mid;
    }
    return this.events[lo]?.position === position.commit ? lo : 'invalid';
  }

  /** Resolves at the next commit (or at once when the signal is aborted). */
  nextAppend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.appendListeners.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      if (signal.aborted) return resolve();
      this.appendListeners.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  get waitingReaders(): number {
    return this.appendListeners.size;
  }
}

function recordSize(e: LogEvent): number {
  const text = (s: string) => Buffer.byteLength(s, 'utf8');
  return RECORD_OVERHEAD + text(e.streamName) + text(e.type) + e.data.length + e.metadata.length;
}
