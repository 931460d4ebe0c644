// TEST STAND-IN, not EventStoreDB. The event_store.client.streams.Streams gRPC service of the
// EventStoreDB protocol stand-in, on the client's own generated service definition. It answers as
// the 24.10 server does (Streams.Read.cs, Streams.Append.cs, Streams.BatchAppend.cs, the
// Enumerator.* classes):
//  - Read of a stream, forwards or backwards from start, end or a revision, with a count; a
//    missing stream is answered with a StreamNotFound message, then the call ends normally;
//  - Read of $all, forwards (inclusive of the start position) or backwards (exclusive), with or
//    without a filter; a position inside a record fails with InvalidArgument "invalid position";
//  - subscription to $all (catch-up, then live): a confirmation first; events strictly after the
//    start position; with a filter, checkpoints every interval and when catching up; CaughtUp
//    once the catch-up read reaches the end of the log; it runs until the client cancels;
//  - Append (client streaming): success with the current revision and position, or a
//    WrongExpectedVersion message in the response (not an error status), as 24.10 answers;
//  - BatchAppend (bidirectional): per correlation id, success or a google.rpc.Status error that
//    packs event_store.client.WrongExpectedVersion, BadRequest, MaximumAppendSizeExceeded or
//    Timeout (deadline already passed);
//  - writes are in-process and immediate, so concurrent appends are serialised exactly once.
// What it does NOT do: Delete and Tombstone (UNIMPLEMENTED), subscriptions to a single stream,
// resolving links, authentication and ACLs (every call is allowed), leader/follower answers,
// the "first/last stream position" messages newer clients ask for, server-side write timeouts.
import { randomUUID } from 'node:crypto';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb.js';
import {
  Metadata,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type { UUID } from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb.js';
import { type EventFilter, filterFromOptions } from './filters.ts';
import {
  type AllPosition,
  ExpectedVersion,
  type LogEvent,
  type ProposedEvent,
  type TransactionLog,
} from './transaction-log.ts';
import {
  badRequestStatus,
  MissingMetadataError,
  maximumAppendSizeExceededStatus,
  proposedEvent,
  readEvent,
  streamIdentifier,
  streamNameOf,
  timeoutStatus,
  type UuidOption,
  uuidFromProto,
  wrongExpectedVersionStatus,
} from './wire.ts';

const { ReadReq: ReadReqPb, AppendReq: AppendReqPb, BatchAppendReq: BatchAppendReqPb } = streamsPb;
const ReadOptions = ReadReqPb.Options;

/** The server's default maximum size of one append (1 MiB). */
export const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
/** How the server writes "no position" (-1) in an unsigned 64-bit field. */
const NO_POSITION = '18446744073709551615';

export interface StreamsServiceOptions {
  log: TransactionLog;
  maxAppendSize: number;
  /** false: BatchAppend answers UNIMPLEMENTED, as on servers before 21.10. */
  offerBatchAppend: boolean;
}

interface RpcError {
  code: status;
  details: string;
  metadata?: Metadata;
}

/** An error status as the server's RpcExceptions build it: the client reads the `exception` trailer. */
function rpcError(code: status, details: string, exception?: string, extra: Record<string, string> = {}): RpcError {
  const metadata = new Metadata();
  if (exception) metadata.set('exception', exception);
  for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
  return { code, details, metadata };
}

const unimplemented = (what: string) =>
  rpcError(status.UNIMPLEMENTED, `${what} is not implemented by the EventStoreDB protocol stand-in`);

/** Writes one message, waiting for the stream to drain when its buffer is full or the call ends. */
function send<T>(call: ServerWritableStream<ReadReq, T>, message: T, signal: AbortSignal): Promise<void> {
  if (signal.aborted || call.write(message)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

function callSignal(call: { on(event: 'cancelled', listener: () => void): unknown }): AbortSignal {
  const ac = new AbortController();
  call.on('cancelled', () => ac.abort());
  return ac.signal;
}

function allPosition(options: ReadReq.Options.AllOptions): AllPosition | 'start' | 'end' {
  const p = options.getPosition();
  if (options.hasStart() || !p) return options.hasEnd() ? 'end' : 'start';
  return { commit: Number(BigInt(p.getCommitPosition())), prepare: Number(BigInt(p.getPreparePosition())) };
}

export function streamsService({ log, maxAppendSize, offerBatchAppend }: StreamsServiceOptions) {
  function eventMessage(e: LogEvent, uuidOption: UuidOption): ReadResp {
    const resp = new streamsPb.ReadResp();
    resp.setEvent(readEvent(e, uuidOption));
    return resp;
  }

  function checkpointMessage(position: number): ReadResp {
    const checkpoint = new streamsPb.ReadResp.Checkpoint();
    const text = position < 0 ? NO_POSITION : String(position);
    checkpoint.setCommitPosition(text);
    checkpoint.setPreparePosition(text);
    const resp = new streamsPb.ReadResp();
    resp.setCheckpoint(checkpoint);
    return resp;
  }

  async function readStream(call: ServerWritableStream<ReadReq, ReadResp>, signal: AbortSignal): Promise<void> {
    const options = call.request.getOptions()!;
    const stream = options.getStream()!;
    const name = streamNameOf(stream.getStreamIdentifier());
    const from = stream.hasStart() ? 'start' : stream.hasEnd() ? 'end' : Number(BigInt(stream.getRevision()));
    const backwards = options.getReadDirection() === ReadOptions.ReadDirection.BACKWARDS;
    const events = log.readStream(name, from, backwards ? 'backwards' : 'forwards', Number(options.getCount()));
    if (events === null) {
      const notFound = new streamsPb.ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(streamIdentifier(name));
      const resp = new streamsPb.ReadResp();
      resp.setStreamNotFound(notFound);
      await send(call, resp, signal);
      return;
    }
    for (const e of events) {
      if (signal.aborted) return;
      await send(call, eventMessage(e, uuidOptionOf(options)), signal);
    }
  }

  async function readAll(call: ServerWritableStream<ReadReq, ReadResp>, signal: AbortSignal): Promise<void> {
    const options = call.request.getOptions()!;
    const from = allPosition(options.getAll()!);
    const filter = options.hasFilter() ? filterFromOptions(options.getFilter()) : null;
    const start = log.indexOf(from);
    if (start === 'invalid') throw rpcError(status.INVALID_ARGUMENT, 'Trying to read from an invalid position.');
    const backwards = options.getReadDirection() === ReadOptions.ReadDirection.BACKWARDS;
    let remaining = Number(options.getCount());
    // Forwards starts at the event at `from`; backwards starts with the one before it.
    for (let i = backwards ? start - 1 : start; remaining > 0 && i >= 0 && i < log.size; i += backwards ? -1 : 1) {
      if (signal.aborted) return;
      const e = log.at(i)!;
      if (filter && !filter.allows(e)) continue;
      remaining--;
      await send(call, eventMessage(e, uuidOptionOf(options)), signal);
    }
  }

  async function subscribeToAll(call: ServerWritableStream<ReadReq, ReadResp>, signal: AbortSignal): Promise<void> {
    const options = call.request.getOptions()!;
    const from = allPosition(options.getAll()!);
    const filter: EventFilter | null = options.hasFilter() ? filterFromOptions(options.getFilter()) : null;
    const uuidOption = uuidOptionOf(options);
    // `after`: the position of the last event (or checkpoint) sent on; only later events go out.
    let after: number;
    let next: number;
    if (from === 'start') {
      after = -1;
      next = 0;
    } else if (from === 'end') {
      next = log.size;
      after = log.at(next - 1)?.position ?? -1;
    } else {
      after = from.commit;
      const index = log.indexOf(from);
      if (index === 'invalid') throw rpcError(status.INVALID_ARGUMENT, 'Trying to read from an invalid position.');
      next = index;
    }
    const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(randomUUID());
    const confirmed = new streamsPb.ReadResp();
    confirmed.setConfirmation(confirmation);
    await send(call, confirmed, signal);

    let considered = 0;
    let caughtUp = false;
    while (!signal.aborted) {
      for (; next < log.size && !signal.aborted; next++) {
        const e = log.at(next)!;
        if (e.position <= after) continue;
        considered++;
        if (!filter || filter.allows(e)) {
          await send(call, eventMessage(e, uuidOption), signal);
          after = e.position;
        }
        if (filter && considered >= filter.checkpointInterval) {
          considered %= filter.checkpointInterval;
          after = Math.max(after, e.position);
          await send(call, checkpointMessage(after), signal);
        }
      }
      if (!caughtUp && !signal.aborted) {
        caughtUp = true;
        if (filter) await send(call, checkpointMessage(after), signal);
        const resp = new streamsPb.ReadResp();
        resp.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
        await send(call, resp, signal);
      }
      if (next >= log.size) await log.nextAppend(signal);
    }
  }

  function uuidOptionOf(options: ReadReq.Options): UuidOption {
    return options.getUuidOption()?.hasString() ? 'string' : 'structured';
  }

  async function read(call: ServerWritableStream<ReadReq, ReadResp>): Promise<void> {
    const signal = callSignal(call);
    try {
      const options = call.request.getOptions();
      if (!options) throw rpcError(status.INVALID_ARGUMENT, 'Options are required');
      const isAll = options.getStreamOptionCase() === ReadOptions.StreamOptionCase.ALL;
      const isSubscription = options.getCountOptionCase() === ReadOptions.CountOptionCase.SUBSCRIPTION;
      if (isSubscription && !isAll) throw unimplemented('A subscription to a single stream');
      if (isSubscription) await subscribeToAll(call, signal);
      else if (isAll) await readAll(call, signal);
      else await readStream(call, signal);
      if (!signal.aborted) call.end();
    } catch (err) {
      if (!signal.aborted) call.emit('error', toRpcError(err));
    }
  }

  function appendResponse(result: ReturnType<TransactionLog['write']>, expectedVersion: number): AppendResp {
    const resp = new streamsPb.AppendResp();
    if (result.kind === 'success') {
      const success = new streamsPb.AppendResp.Success();
      if (result.lastEventNumber === -1) success.setNoStream(new sharedPb.Empty());
      else success.setCurrentRevision(String(result.lastEventNumber));
      if (result.position === -1) success.setNoPosition(new sharedPb.Empty());
      else {
        const position = new streamsPb.AppendResp.Position();
        position.setCommitPosition(String(result.position));
        position.setPreparePosition(String(result.position));
        success.setPosition(position);
      }
      resp.setSuccess(success);
      return resp;
    }
    // 24.10 fills both the current fields and the deprecated 20.6.0 ones, except the 20.6.0
    // expected revision of no_stream (2^64 - 1 does not fit the generated JavaScript number field).
    const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
    if (expectedVersion === ExpectedVersion.Any) {
      wrong.setExpectedAny(new sharedPb.Empty());
      wrong.setAny2060(new sharedPb.Empty());
    } else if (expectedVersion === ExpectedVersion.StreamExists) {
      wrong.setExpectedStreamExists(new sharedPb.Empty());
      wrong.setStreamExists2060(new sharedPb.Empty());
    } else if (expectedVersion === ExpectedVersion.NoStream) {
      wrong.setExpectedNoStream(new sharedPb.Empty());
    } else {
      wrong.setExpectedRevision(String(expectedVersion));
      wrong.setExpectedRevision2060(expectedVersion);
    }
    if (result.currentVersion === -1) {
      wrong.setCurrentNoStream(new sharedPb.Empty());
      wrong.setNoStream2060(new sharedPb.Empty());
    } else {
      wrong.setCurrentRevision(String(result.currentVersion));
      wrong.setCurrentRevision2060(result.currentVersion);
    }
    resp.setWrongExpectedVersion(wrong);
    return resp;
  }

  function append(call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void {
    const messages: AppendReq[] = [];
    call.on('data', (m: AppendReq) => messages.push(m));
    call.on('error', () => {});
    call.on('end', () => {
      try {
        const [first, ...rest] = messages;
        const options = first?.getOptions();
        if (!options) throw rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
        const name = streamNameOf(options.getStreamIdentifier());
        const expected = expectedVersionOf(options, AppendReqPb.Options.ExpectedStreamRevisionCase, () =>
          options.getRevision(),
        );
        const events: ProposedEvent[] = [];
        let size = 0;
        for (const m of rest) {
          const message = m.getProposedMessage();
          if (!message) throw rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
          const e = proposedEvent(message);
          size += sizeOnDisk(e);
          if (size > maxAppendSize)
            throw rpcError(
              status.INVALID_ARGUMENT,
              `Maximum Append Size of ${maxAppendSize} Exceeded.`,
              'maximum-append-size-exceeded',
              {
                'maximum-append-size': String(maxAppendSize),
              },
            );
          events.push(e);
        }
        callback(null, appendResponse(log.write(name, expected, events), expected));
      } catch (err) {
        callback(toRpcError(err));
      }
    });
  }

  function batchAppend(call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    if (!offerBatchAppend) {
      call.emit('error', unimplemented('BatchAppend'));
      return;
    }
    interface Pending {
      streamName: string;
      expectedVersion: number;
      events: ProposedEvent[];
      size: number;
    }
    const pending = new Map<string, Pending>();
    const respond = (correlation: UUID | undefined, name: string | undefined) => {
      const resp = new streamsPb.BatchAppendResp();
      resp.setCorrelationId(correlation);
      if (name !== undefined) resp.setStreamIdentifier(streamIdentifier(name));
      return resp;
    };
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId();
      const options = request.getOptions();
      try {
        const correlationId = uuidFromProto(correlation);
        if (options) {
          if (!options.hasStreamIdentifier()) {
            const resp = respond(correlation, undefined);
            resp.setError(badRequestStatus('Required field StreamIdentifier not set.'));
            call.write(resp);
            return;
          }
          const name = streamNameOf(options.getStreamIdentifier());
          const deadline = options.getDeadline();
          if (deadline && deadline.toDate().getTime() <= Date.now()) {
            const resp = respond(correlation, name);
            resp.setError(timeoutStatus());
            call.write(resp);
            return;
          }
          if (!pending.has(correlationId)) {
            const expectedVersion = expectedVersionOf(
              options,
              BatchAppendReqPb.Options.ExpectedStreamPositionCase,
              () => options.getStreamPosition(),
            );
            pending.set(correlationId, { streamName: name, expectedVersion, events: [], size: 0 });
          }
        }
        const write = pending.get(correlationId);
        if (!write) return;
        for (const message of request.getProposedMessagesList()) {
          const e = proposedEvent(message);
          write.events.push(e);
          write.size += sizeOnDisk(e);
        }
        if (write.size > maxAppendSize) {
          pending.delete(correlationId);
          const resp = respond(correlation, write.streamName);
          resp.setError(maximumAppendSizeExceededStatus(maxAppendSize));
          call.write(resp);
        }
        if (!request.getIsFinal() || !pending.delete(correlationId)) return;
        const result = log.write(write.streamName, write.expectedVersion, write.events);
        const resp = respond(correlation, write.streamName);
        if (result.kind === 'success') {
          const success = new streamsPb.BatchAppendResp.Success();
          if (result.lastEventNumber >= 0) success.setCurrentRevision(String(result.lastEventNumber));
          else success.setNoStream(new GoogleEmpty());
          if (result.position >= 0) {
            const position = new sharedPb.AllStreamPosition();
            position.setCommitPosition(String(result.position));
            position.setPreparePosition(String(result.position));
            success.setPosition(position);
          } else success.setNoPosition(new GoogleEmpty());
          resp.setSuccess(success);
        } else {
          resp.setError(wrongExpectedVersionStatus(result.currentVersion, write.expectedVersion));
        }
        call.write(resp);
      } catch (err) {
        const resp = respond(
          correlation,
          options?.hasStreamIdentifier() ? streamNameOf(options.getStreamIdentifier()) : undefined,
        );
        resp.setError(badRequestStatus(err instanceof Error ? err.message : String(err)));
        call.write(resp);
      }
    });
    call.on('error', () => {});
    call.on('end', () => call.end());
  }

  return {
    read,
    append,
    batchAppend,
    delete: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      callback(unimplemented('Delete')),
    tombstone: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      callback(unimplemented('Tombstone')),
  };
}

function expectedVersionOf(
  options: { getExpectedStreamRevisionCase?(): number; getExpectedStreamPositionCase?(): number },
  cases: { NO_STREAM: number; ANY: number; STREAM_EXISTS: number },
  revision: () => string,
): number {
  const which = options.getExpectedStreamRevisionCase?.() ?? options.getExpectedStreamPositionCase?.();
  if (which === cases.ANY) return ExpectedVersion.Any;
  if (which === cases.NO_STREAM) return ExpectedVersion.NoStream;
  if (which === cases.STREAM_EXISTS) return ExpectedVersion.StreamExists;
  const exact = BigInt(revision());
  if (exact > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`expected revision ${exact} is out of range`);
  return Number(exact);
}

/** Event.SizeOnDisk: data, metadata and the event type. */
function sizeOnDisk(e: ProposedEvent): number {
  return e.data.length + e.metadata.length + Buffer.byteLength(e.type, 'utf8');
}

function toRpcError(err: unknown): RpcError {
  if (err && typeof err === 'object' && 'code' in err && 'details' in err) return err as RpcError;
  if (err instanceof MissingMetadataError)
    return rpcError(status.INVALID_ARGUMENT, err.message, 'missing-required-metadata-property', {
      'required-metadata-properties': err.property,
    });
  return rpcError(
    status.UNKNOWN,
    `Exception was thrown by handler. ${err instanceof Error ? err.message : String(err)}`,
  );
}
