// TEST STAND-IN, not EventStoreDB. An in-process gRPC server that speaks the part of the
// EventStoreDB 24.10 client protocol our adapter (src/eventstore/esdb/) uses, built from the
// client's own generated service definitions (node_modules/@eventstore/db-client/generated).
// It lets the EventStore contract suite run against the real client library on every `npm test`.
// It is NOT a substitute for the run against a real server (docker compose, EVENTSTORE_URL): it
// copies the server's observable rules as read from its sources, and can be wrong where the server
// surprises us. Implemented:
//  - ServerFeatures.GetSupportedMethods, listing only what is implemented here (the client uses
//    BatchAppend when it is listed, unary Append otherwise);
//  - the Streams service (streams-service.ts) over an in-memory log (transaction-log.ts) with the
//    server's $all filters (filters.ts) and message shapes (wire.ts).
// Not implemented: TLS and authentication, gossip and clustering (connect with a single host and
// tls=false), persistent subscriptions, projections, operations, users, monitoring; calls to
// those services answer UNIMPLEMENTED. One server per test run, on an ephemeral port.
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import { DEFAULT_MAX_APPEND_SIZE, streamsService } from './streams-service.ts';
import { TransactionLog } from './transaction-log.ts';

export interface EsdbProtocolStandInOptions {
  /** Offer BatchAppend, as servers since 21.10 do (default), or only unary Append, as older ones. */
  batchAppend?: boolean;
  maxAppendSize?: number;
  clock?: () => Date;
}

export interface EsdbProtocolStandIn {
  /** esdb://127.0.0.1:<port>?tls=false */
  readonly connectionString: string;
  readonly log: TransactionLog;
  close(): Promise<void>;
}

/** Reported as the server version; the suffix says what answers. */
const SERVER_VERSION = '24.10.0-protocol-standin';
const CLOSE_GRACE_MS = 2000;

export async function startEsdbProtocolStandIn(options: EsdbProtocolStandInOptions = {}): Promise<EsdbProtocolStandIn> {
  const batchAppend = options.batchAppend ?? true;
  const log = new TransactionLog(options.clock);
  const server = new Server();
  server.addService(
    streamsGrpc.StreamsService,
    streamsService({
      log,
      offerBatchAppend: batchAppend,
      maxAppendSize: options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE,
    }),
  );
  server.addService(serverFeaturesGrpc.ServerFeaturesService, {
    getSupportedMethods: (
      _call: ServerUnaryCall<unknown, SupportedMethods>,
      callback: sendUnaryData<SupportedMethods>,
    ) => callback(null, supportedMethods(batchAppend)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        // Open subscriptions never end by themselves: give calls a moment, then cut them.
        const force = setTimeout(() => server.forceShutdown(), CLOSE_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/** What ServerFeatures.cs would list for the methods implemented here (names in lower case). */
function supportedMethods(batchAppend: boolean): SupportedMethods {
  const methods = new serverFeaturesPb.SupportedMethods();
  methods.setEventStoreServerVersion(SERVER_VERSION);
  const add = (service: string, method: string, features: string[] = []) => {
    const m = new serverFeaturesPb.SupportedMethod();
    m.setServiceName(service);
    m.setMethodName(method);
    m.setFeaturesList(features);
    methods.addMethods(m);
  };
  add('event_store.client.streams.streams', 'read', ['position', 'events']);
  add('event_store.client.streams.streams', 'append');
  if (batchAppend) add('event_store.client.streams.streams', 'batchappend', ['deadline_duration']);
  add('event_store.client.server_features.serverfeatures', 'getsupportedmethods');
  return methods;
}
