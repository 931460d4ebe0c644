// TEST STAND-IN, not EventStoreDB. Conversions between the client's own generated protobuf messages
// (node_modules/@eventstore/db-client/generated) and the stand-in's log, shaped as the 24.10 server
// shapes them (Streams.Read.cs ConvertToRecordedEvent, Uuid.cs, WrongExpectedVersion.cs):
//  - event ids as the client asked (string or structured UUID); ids are parsed like .NET Guid,
//    so upper case and the 32-digit form are accepted and answered in lower-case "D" form;
//  - recorded events carry metadata "type", "created" (ticks since the Unix epoch) and
//    "content-type" (application/json for JSON events, else application/octet-stream), the
//    commit and prepare positions, and the read event carries the commit position;
//  - the shared WrongExpectedVersion detail that a BatchAppend error packs.
import { Any } from 'google-protobuf/google/protobuf/any_pb.js';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import type { Status } from '@eventstore/db-client/generated/status_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { AppendReq, BatchAppendReq, ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { ExpectedVersion, type LogEvent, type ProposedEvent } from './transaction-log.ts';

export type UuidOption = 'string' | 'structured';

export const CONTENT_TYPE_JSON = 'application/json';
const CONTENT_TYPE_BINARY = 'application/octet-stream';

/** google.rpc.Code values the server uses in BatchAppend errors. */
export const RpcCode = { InvalidArgument: 3, DeadlineExceeded: 4, AlreadyExists: 6 } as const;

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  if (!identifier) throw new Error('Required field StreamIdentifier not set.');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(name: string): StreamIdentifier {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
  return id;
}

const GUID_D = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_N = /^[0-9a-f]{32}$/i;

/** Parses an event id as .NET Guid.Parse would (the "D", "N", "B" and "P" forms), to lower-case "D" form. */
export function uuidFromProto(uuid: UUID | undefined): string {
  if (!uuid) throw new Error('Required field Id not set.');
  if (uuid.hasStructured()) {
    const s = uuid.getStructured()!;
    const hex =
      BigInt.asUintN(64, BigInt(s.getMostSignificantBits())).toString(16).padStart(16, '0') +
      BigInt.asUintN(64, BigInt(s.getLeastSignificantBits())).toString(16).padStart(16, '0');
    return dashed(hex);
  }
  const text = uuid.getString().trim();
  const bare = /^[{(].*[})]$/.test(text) ? text.slice(1, -1) : text;
  if (GUID_D.test(bare)) return bare.toLowerCase();
  if (GUID_N.test(bare) && bare === text) return dashed(bare.toLowerCase());
  throw new Error(`Unrecognized Guid format: ${text}`);
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidToProto(id: string, option: UuidOption): UUID {
  const uuid = new sharedPb.UUID();
  if (option === 'string') {
    uuid.setString(id);
    return uuid;
  }
  const hex = id.replace(/-/g, '');
  const structured = new sharedPb.UUID.Structured();
  structured.setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString());
  structured.setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
  uuid.setStructured(structured);
  return uuid;
}

/** A proposed message of Append or BatchAppend; `type` and `content-type` are required metadata. */
export function proposedEvent(message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  if (type === undefined) throw new MissingMetadataError('type');
  const contentType = metadata.get('content-type');
  if (contentType === undefined) throw new MissingMetadataError('content-type');
  return {
    id: uuidFromProto(message.getId()),
    type,
    isJson: contentType === CONTENT_TYPE_JSON,
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

export class MissingMetadataError extends Error {
  readonly property: string;

  constructor(property: string) {
    super(`Required metadata property '${property}' is missing`);
    this.property = property;
  }
}

export function readEvent(e: LogEvent, uuidOption: UuidOption): ReadResp.ReadEvent {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuidToProto(e.id, uuidOption));
  recorded.setStreamIdentifier(streamIdentifier(e.streamName));
  recorded.setStreamRevision(String(e.revision));
  recorded.setCommitPosition(String(e.position));
  recorded.setPreparePosition(String(e.position));
  const metadata = recorded.getMetadataMap();
  metadata.set('type', e.type);
  metadata.set('created', e.createdTicks.toString());
  metadata.set('content-type', e.isJson ? CONTENT_TYPE_JSON : CONTENT_TYPE_BINARY);
  recorded.setData(e.data);
  recorded.setCustomMetadata(e.metadata);
  const read = new streamsPb.ReadResp.ReadEvent();
  read.setEvent(recorded);
  read.setCommitPosition(String(e.position));
  return read;
}

/** google.rpc.Status of a BatchAppend conflict, as Status.WrongExpectedVersion(current, expected) builds it. */
export function wrongExpectedVersionStatus(currentVersion: number, expectedVersion: number): Status {
  const detail = new sharedPb.WrongExpectedVersion();
  if (currentVersion < 0) detail.setCurrentNoStream(new GoogleEmpty());
  else detail.setCurrentStreamRevision(String(currentVersion));
  if (expectedVersion === ExpectedVersion.Any) detail.setExpectedAny(new GoogleEmpty());
  else if (expectedVersion === ExpectedVersion.NoStream) detail.setExpectedNoStream(new GoogleEmpty());
  else if (expectedVersion === ExpectedVersion.StreamExists) detail.setExpectedStreamExists(new GoogleEmpty());
  else detail.setExpectedStreamPosition(String(expectedVersion));
  return rpcStatus(RpcCode.AlreadyExists, 'WrongExpectedVersion', detail, 'event_store.client.WrongExpectedVersion');
}

export function badRequestStatus(message: string): Status {
  const detail = new sharedPb.BadRequest();
  detail.setMessage(message);
  return rpcStatus(RpcCode.InvalidArgument, 'BadRequest', detail, 'event_store.client.BadRequest');
}

export function maximumAppendSizeExceededStatus(maxAppendSize: number): Status {
  const detail = new sharedPb.MaximumAppendSizeExceeded();
  detail.setMaxappendsize(maxAppendSize);
  return rpcStatus(
    RpcCode.InvalidArgument,
    'MaximumAppendSizeExceeded',
    detail,
    'event_store.client.MaximumAppendSizeExceeded',
  );
}

export function timeoutStatus(): Status {
  return rpcStatus(RpcCode.DeadlineExceeded, 'Timeout', new sharedPb.Timeout(), 'event_store.client.Timeout');
}

function rpcStatus(code: number, message: string, detail: { serializeBinary(): Uint8Array }, typeName: string): Status {
  const status = new statusPb.Status();
  status.setCode(code);
  status.setMessage(message);
  const any = new Any();
  any.pack(detail.serializeBinary(), typeName);
  status.setDetails(any);
  return status;
}
