// EventStoreDB adapter of the event store port, on @eventstore/db-client 6.2.1 (gRPC), against
// EventStoreDB 24.10. It must pass the same contract suite as the Postgres adapter
// (test/contract/eventstore.contract.ts).
//
// Client and server behaviours this relies on. They were read from the 6.2.1 typings and dist/
// sources in node_modules and from the server sources. None of them could be run here because
// there is no server on this machine.
//  1. appendToStream(stream, events, { expectedRevision }) takes ANY | NO_STREAM | STREAM_EXISTS
//     | bigint. It resolves to { success, nextExpectedRevision: bigint, position?: {commit, prepare} }.
//     The client uses batchAppend when the server supports it, and plain append otherwise.
//     With throwOnAppendFailure (the default) a version conflict rejects with the client's
//     WrongExpectedVersionError, whose actualVersion is a bigint or 'no_stream'. We decide on the
//     class (instanceof), never on the shape of its fields.
//  2. Server side, the append position is the log position of the LAST event written (commit and
//     prepare are both that position). That is the same { commit, prepare } as the event has when
//     read from $all, or from its stream on servers >= 22.6. A position the server does not know
//     arrives as 2^64-1, or is missing; we read the event back in that case.
//  3. Idempotent append: the server treats re-sent event ids as a no-op when they are already
//     stored right after the SAME expected revision (or, for ANY, when they are still in its
//     recent-ids cache). It then answers with the original last revision and position. This
//     differs from Postgres, where ids are unique across the whole store: here, re-sending the
//     same ids with a newer expected revision writes them again. On a version conflict we read
//     the stream's tail, and if it holds exactly these ids we return the original result.
//  4. readStream / readAll return Readable streams of ResolvedEvent (StreamingRead), consumed
//     with for await. readStream of a missing stream fails WHILE iterating with
//     StreamNotFoundError. A read's own `deadline` option is ignored (the client passes
//     deadline: Infinity), so ping() times itself. cancel() ends a read early, and the iteration
//     then simply ends, with no error. To stop a read or subscription before its end, we cancel
//     it and then consume what is still buffered (stopEarly below). Breaking out of the
//     for await is not enough: it destroys the client's stream while the gRPC call stays open
//     and paused, and dispose() then never resolves. We observed that hang against a stand-in
//     server.
//  5. readAll has no server-side filter in 6.x (the client always sends NoFilter), so tenant and
//     system-event filtering happen here, page by page. readAll's fromPosition is INCLUSIVE: the
//     server returns an event sitting exactly at that position.
//  6. subscribeToAll({ fromPosition, filter }) is a catch-up subscription. It delivers the events
//     strictly AFTER fromPosition, then live ones, in log order, once each. streamNameFilter({
//     prefixes }) and excludeSystemEvents() (event type !~ ^\$) are applied on the server.
//     unsubscribe() cancels the gRPC call.
//  7. A recorded event's `created` is a Date (the client converts .NET ticks). For JSON events,
//     `data` is the parsed JSON. `metadata` is the parsed JSON whatever the content type, or
//     undefined when empty.
//  8. dispose() cancels every open call of the client and waits for each to finish. After it
//     the process can exit: we checked this with connection refused, with a server that accepts
//     and never answers, and with a stand-in server.
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
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type RecordedEvent as EsdbRecordedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  checkStreamWrites,
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
  type StreamRead,
  type RecordedEvent,
  type StreamWrite,
  type SubscribeToAllOptions,
} from '../port.ts';

/** How the server encodes "no position" (-1 as an unsigned 64-bit integer). */
const NO_POSITION = 2n ** 64n - 1n;

export interface EsdbEventStoreOptions {
  /** ping() fails when the server has not answered within this many ms. */
  pingTimeoutMs?: number;
}

function toExpected(e: ExpectedRevision): AppendExpectedRevision {
  if (e === 'any') return ANY;
  if (e === 'no_stream') return NO_STREAM;
  if (e === 'stream_exists') return STREAM_EXISTS;
  return BigInt(e);
}

function isKnown(p: Position | undefined): p is Position {
  return p !== undefined && p.commit !== NO_POSITION && p.prepare !== NO_POSITION;
}

/** System streams ($…, including $$ metadata streams) and system event types ($…) are not ours. */
function isUserEvent(e: { streamId: string; type: string }): boolean {
  return !e.streamId.startsWith('$') && !e.type.startsWith('$');
}

function toRecorded(e: EsdbRecordedEvent, position: Position): RecordedEvent {
  return {
    id: e.id,
    type: e.type,
    streamName: e.streamId,
    revision: Number(e.revision),
    position: { commit: position.commit, prepare: position.prepare },
    data: e.data,
    metadata: e.metadata as EventMetadata,
    createdAt: e.created,
  };
}

/** How long stopping a read or subscription early may take before its stream is just destroyed. */
const STOP_TIMEOUT_MS = 5000;

/**
 * Stops a client read or subscription before its end. The gRPC call is cancelled, and then the
 * items it still delivers are consumed until the stream ends. Destroying the stream (which is what
 * `break` in a for await over it does) is not enough: grpc-js reports a call's status only after
 * its pending messages are read, so the paused call would never finish and the client's dispose()
 * would wait for it forever. `pending` is a next() already in flight.
 */
async function stopEarly(
  stream: { destroy(): unknown },
  cancel: () => Promise<void>,
  iterator: AsyncIterator<unknown>,
  pending: Promise<IteratorResult<unknown>> | null,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await cancel();
    for (let next = pending ?? iterator.next(); ; next = iterator.next()) {
      const r = await Promise.race([next, timedOut]);
      if (r === 'timeout') {
        next.catch(() => {});
        stream.destroy();
        return;
      }
      if (r.done) return;
    }
  } catch {
    // An error after the cancel (the cancellation itself, a dropped connection): the call is over.
  } finally {
    clearTimeout(timer);
  }
}

/** Iterates a client read, stopping it properly (see stopEarly) when the consumer breaks off. */
async function* drain<T>(read: StreamingRead<T>): AsyncGenerator<T> {
  const iterator = read[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<T>;
      try {
        next = await iterator.next();
      } catch (err) {
        finished = true; // the stream failed and is destroyed with its call
        throw err;
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!finished) await stopEarly(read, () => read.cancel(), iterator, null);
  }
}

export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb' as const;
  readonly atomicMultiStreamAppend = false;
  readonly idempotencyRecords = false;
  private readonly client: EventStoreDBClient;
  private readonly pingTimeoutMs: number;

  /** @param connectionString e.g. esdb://localhost:2113?tls=false */
  constructor(connectionString: string, options: EsdbEventStoreOptions = {}) {
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.pingTimeoutMs = options.pingTimeoutMs ?? 3000;
  }

  async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    const data = events.map((e) =>
      jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata }),
    );
    let conflict: EsdbWrongExpectedVersionError | null = null;
    try {
      const res = await this.client.appendToStream(stream, data, { expectedRevision: toExpected(expected) });
      // Only with throwOnAppendFailure=false in the connection string. The client then reports
      // the conflict in the result, with an unreliable revision.
      if (!res.success) return await this.resolveConflict(stream, events, expected, null);
      const nextExpectedRevision = Number(res.nextExpectedRevision);
      const position = isKnown(res.position) ? res.position : await this.positionOf(stream, nextExpectedRevision);
      return { nextExpectedRevision, position: { commit: position.commit, prepare: position.prepare } };
    } catch (err) {
      if (!(err instanceof EsdbWrongExpectedVersionError)) throw err;
      conflict = err;
    }
    return this.resolveConflict(stream, events, expected, conflict);
  }

  /**
   * NOT atomic across streams: @eventstore/db-client 6 has no multi-stream transaction, so the
   * writes are appended one after the other and the first failure stops the rest, leaving the
   * writes before it appended. Each write is idempotent by its event ids and expected revision
   * (3 above), so a caller heals a failure or a crash between two streams by retrying the whole
   * call with the same ids and expected revisions (see the port).
   */
  async appendToStreams(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    checkStreamWrites(writes);
    const results: AppendResult[] = [];
    for (const w of writes)
      results.push(
        await this.appendToStream(w.streamName, w.events, { expectedRevision: w.expectedRevision ?? 'any' }),
      );
    return results;
  }

  /**
   * A version conflict: either these very events are already at the end of the stream (a retry
   * of an append that went through), which is success, or a real conflict.
   */
  private async resolveConflict(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    err: EsdbWrongExpectedVersionError | null,
  ): Promise<AppendResult> {
    const tail = await this.readStream(stream, { direction: 'backwards', maxCount: events.length });
    const last = tail[0];
    if (last && tail.length === events.length && tail.every((e, i) => e.id === events[events.length - 1 - i]!.id)) {
      return { nextExpectedRevision: last.revision, position: last.position };
    }
    let actual: number | 'no_stream';
    if (err) actual = typeof err.actualVersion === 'bigint' ? Number(err.actualVersion) : 'no_stream';
    else actual = last ? last.revision : 'no_stream';
    throw new WrongExpectedVersionError(stream, expected, actual);
  }

  /** The position of the event at `revision` (for appends whose result carried none). */
  private async positionOf(stream: string, revision: number): Promise<Position> {
    const [e] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    if (!e) throw new Error(`appended to ${stream} but cannot read revision ${revision} back`);
    return e.position;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
    });
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of drain(read)) {
        const e = resolved.event;
        if (!e) continue;
        // Servers >= 22.6 give stream reads the event's $all position; older ones do not.
        const position: Position = e.position ?? {
          commit: resolved.commitPosition ?? NO_POSITION,
          prepare: NO_POSITION,
        };
        out.push(toRecorded(e, position));
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    return out;
  }

  /** Stream by stream, 16 at a time (EventStoreDB has no multi-stream read). */
  async readStreams(reads: readonly StreamRead[]): Promise<RecordedEvent[][]> {
    const out: RecordedEvent[][] = reads.map(() => []);
    let next = 0;
    const lane = async () => {
      while (next < reads.length) {
        const i = next++;
        out[i] = await this.readStream(reads[i]!.streamName, {
          fromRevision: Math.max(0, reads[i]!.fromRevision ?? 0),
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, reads.length) }, lane));
    return out;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    if (options.maxCount <= 0) return out;
    const prefix = options.tenant !== undefined ? `${options.tenant}:` : null;
    const types = options.types ? new Set(options.types) : null;
    // +1: fromPosition is inclusive, so a page starting at `after` repeats that event. A tenant's
    // events are a fraction of the log, so its scan reads larger pages.
    const pageSize = prefix !== null ? 1024 : Math.min(Math.max(options.maxCount + 1, 64), 4096);
    let from: Position | null = options.after ?? null;
    for (;;) {
      let seen = 0;
      let last: Position | null = null;
      const read = this.client.readAll({ fromPosition: from ?? START, direction: FORWARDS, maxCount: pageSize });
      for await (const resolved of drain(read)) {
        seen++;
        const e = resolved.event;
        if (!e) continue;
        last = e.position;
        if (from && comparePositions(e.position, from) <= 0) continue; // the inclusive start
        if (
          !isUserEvent(e) ||
          (prefix !== null && !e.streamId.startsWith(prefix)) ||
          (types !== null && !types.has(e.type))
        )
          continue;
        out.push(toRecorded(e, e.position));
        if (out.length === options.maxCount) return out;
      }
      if (seen < pageSize || last === null) return out; // the end of the log
      from = last;
    }
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    const { signal, tenant } = options;
    if (signal?.aborted) return;
    const prefix = tenant !== undefined ? `${tenant}:` : null;
    const subscription = this.client.subscribeToAll({
      fromPosition: options.after ?? START,
      filter: prefix !== null ? streamNameFilter({ prefixes: [prefix] }) : excludeSystemEvents(),
    });
    const iterator = subscription[Symbol.asyncIterator]();
    // Abort must also end a wait for the next event: each read is raced against it.
    let abortWait: () => void = () => {};
    const aborted = new Promise<'aborted'>((resolve) => {
      abortWait = () => resolve('aborted');
    });
    signal?.addEventListener('abort', abortWait, { once: true });
    let pending: Promise<IteratorResult<AllStreamResolvedEvent>> | null = null;
    let finished = false;
    try {
      for (;;) {
        pending = iterator.next();
        let next: IteratorResult<AllStreamResolvedEvent> | 'aborted';
        try {
          next = await Promise.race([pending, aborted]);
        } catch (err) {
          finished = true; // the subscription failed (e.g. the connection dropped)
          throw err;
        }
        if (next === 'aborted' || signal?.aborted) return; // `pending` is consumed by stopEarly
        pending = null;
        if (next.done) {
          finished = true;
          return;
        }
        const e: AllStreamRecordedEvent | undefined = next.value.event;
        if (!e || !isUserEvent(e) || (prefix !== null && !e.streamId.startsWith(prefix))) continue;
        yield toRecorded(e, e.position);
      }
    } finally {
      signal?.removeEventListener('abort', abortWait);
      if (!finished) await stopEarly(subscription, () => subscription.unsubscribe(), iterator, pending);
    }
  }

  async headPosition(): Promise<Position | null> {
    // The newest event of the log that is ours. Skip system events (stats, metadata, …) and
    // page backwards until one is found or the start of the log is reached.
    const pageSize = 256;
    let from: Position | null = null;
    for (;;) {
      let seen = 0;
      let last: Position | null = null;
      const read = this.client.readAll({ fromPosition: from ?? END, direction: BACKWARDS, maxCount: pageSize });
      for await (const resolved of drain(read)) {
        seen++;
        const e = resolved.event;
        if (!e) continue;
        last = e.position;
        if (from && comparePositions(e.position, from) >= 0) continue; // in case the start is inclusive
        if (isUserEvent(e)) return { commit: e.position.commit, prepare: e.position.prepare };
      }
      if (seen < pageSize || last === null) return null;
      from = last;
    }
  }

  async ping(): Promise<void> {
    // A one-event read. Reads ignore `deadline` (see 4 above), so we time it ourselves.
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void read.cancel().catch(() => {});
    }, this.pingTimeoutMs);
    try {
      for await (const _ of drain(read)) break;
    } finally {
      clearTimeout(timer);
    }
    // A cancelled read ends quietly, so the timeout has to be turned into an error here.
    if (timedOut) throw new Error(`EventStoreDB did not answer within ${this.pingTimeoutMs} ms`);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
