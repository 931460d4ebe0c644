// EventStoreDB adapter of the event store port, on @eventstore/db-client 6.x.
// Client behaviours this relies on (from the client's typings and docs):
// - appendToStream returns { nextExpectedRevision: bigint, position?: {commit, prepare} } and
//   throws WrongExpectedVersionError (decided on by type, never by its fields' shape).
// - Appending event ids that were already appended at the stream's end with the same expected
//   revision is idempotent on the server; with another expected revision it is a version error,
//   which we resolve by reading the ids back.
// - readStream throws StreamNotFoundError WHILE iterating, not when called.
// - readAll's fromPosition is inclusive, and readAll (unlike subscribeToAll) takes no filter in
//   6.x: tenant and system-event filtering happen here, page by page.
// - subscribeToAll starts AFTER fromPosition; it is consumed with for await and unsubscribe().
// - revisions are bigint; recorded `created` is a Date.
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type AllStreamRecordedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import {
  comparePositions,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
} from '../port.ts';

const READ_PAGE = 500;

function toExpected(e: ExpectedRevision): AppendExpectedRevision {
  if (e === 'any') return ANY;
  if (e === 'no_stream') return NO_STREAM;
  if (e === 'stream_exists') return STREAM_EXISTS;
  return BigInt(e);
}

function isUserEvent(e: { streamId: string; type: string }): boolean {
  return !e.streamId.startsWith('$') && !e.type.startsWith('$');
}

function toRecorded(e: EsdbRecordedEvent, position: Position): RecordedEvent {
  return {
    id: e.id,
    type: e.type,
    streamName: e.streamId,
    revision: Number(e.revision),
    position,
    data: e.data,
    metadata: e.metadata as EventMetadata,
    createdAt: e.created instanceof Date ? e.created : new Date(e.created as unknown as number),
  };
}

export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb' as const;
  private readonly client: EventStoreDBClient;

  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    const data = events.map((e) =>
      jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata as unknown as JSONType }),
    );
    try {
      const res = await this.client.appendToStream(stream, data, { expectedRevision: toExpected(expected) });
      const position = res.position ?? (await this.positionOf(stream, Number(res.nextExpectedRevision)));
      return { nextExpectedRevision: Number(res.nextExpectedRevision), position };
    } catch (err) {
      if (!(err instanceof EsdbWrongExpectedVersionError)) throw err;
      // The same ids already stored at this stream's end: an idempotent re-append.
      const tail = await this.readStream(stream, { direction: 'backwards', maxCount: events.length });
      const storedIds = tail.map((e) => e.id).reverse();
      if (storedIds.length === events.length && storedIds.every((id, i) => id === events[i]!.id)) {
        const last = tail[0]!;
        return { nextExpectedRevision: last.revision, position: last.position };
      }
      const actual = err.actualVersion;
      throw new WrongExpectedVersionError(stream, expected, typeof actual === 'bigint' ? Number(actual) : 'no_stream');
    }
  }

  private async positionOf(stream: string, revision: number): Promise<Position> {
    const [e] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    return e?.position ?? { commit: 0n, prepare: 0n };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      })) {
        const e = resolved.event;
        if (!e) continue;
        out.push(toRecorded(e, e.position ?? { commit: resolved.commitPosition ?? 0n, prepare: resolved.commitPosition ?? 0n }));
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    return out;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    let from: Position | null = options.after ?? null;
    const prefix = options.tenant !== undefined ? `${options.tenant}:` : null;
    for (;;) {
      let seen = 0;
      let last: Position | null = null;
      for await (const resolved of this.client.readAll({ fromPosition: from ?? START, direction: FORWARDS, maxCount: READ_PAGE })) {
        const e = resolved.event as AllStreamRecordedEvent | undefined;
        if (!e) continue;
        seen++;
        last = e.position;
        if (from && comparePositions(e.position, from) <= 0) continue; // fromPosition is inclusive
        if (!isUserEvent(e) || (prefix && !e.streamId.startsWith(prefix))) continue;
        out.push(toRecorded(e, e.position));
        if (out.length === options.maxCount) return out;
      }
      if (seen < READ_PAGE || !last) return out;
      from = last;
    }
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    const subscription = this.client.subscribeToAll({
      fromPosition: options.after ?? START,
      filter: options.tenant !== undefined ? streamNameFilter({ prefixes: [`${options.tenant}:`] }) : excludeSystemEvents(),
    });
    const onAbort = () => void subscription.unsubscribe();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const resolved of subscription) {
        const e = resolved.event as AllStreamRecordedEvent | undefined;
        if (!e || !isUserEvent(e)) continue;
        if (options.signal?.aborted) return;
        yield toRecorded(e, e.position);
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      await subscription.unsubscribe().catch(() => {});
    }
  }

  async headPosition(): Promise<Position | null> {
    for await (const resolved of this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1000 })) {
      const e = resolved.event as AllStreamRecordedEvent | undefined;
      if (e && isUserEvent(e)) return e.position;
    }
    return null;
  }

  async ping(): Promise<void> {
    for await (const _ of this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1, deadline: 3000 })) break;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
