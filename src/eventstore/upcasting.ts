import type { UpcasterRegistry } from '../../domain/shared/event-versions.ts';
import type { EventStore, RecordedEvent } from './port.ts';

/** Brings one recorded event to its type's current shape. Events without a version are version 0. */
export function upcast(registry: UpcasterRegistry, e: RecordedEvent): RecordedEvent {
  const versions = registry[e.type];
  if (!versions) return e;
  let v = typeof e.metadata.schemaVersion === 'number' ? e.metadata.schemaVersion : 0;
  if (v >= versions.current) return e;
  let data = e.data;
  for (; v < versions.current; v++) {
    const step = versions.upcasters[v];
    if (!step) throw new Error(`no upcaster for ${e.type} v${v} → v${v + 1}`);
    data = step(data);
  }
  return { ...e, data, metadata: { ...e.metadata, schemaVersion: versions.current } };
}

/**
 * The event store as readers see it: every event read (streams, the log, subscriptions) comes
 * in its current shape, so deciders, projections and the API only know one shape per type.
 * What is stored is never rewritten.
 */
export function withUpcasting(store: EventStore, registry: UpcasterRegistry): EventStore {
  const up = (e: RecordedEvent) => upcast(registry, e);
  return {
    kind: store.kind,
    appendToStream: (...a) => store.appendToStream(...a),
    appendToStreams: (writes) => store.appendToStreams(writes),
    atomicMultiStreamAppend: store.atomicMultiStreamAppend,
    idempotencyRecords: store.idempotencyRecords,
    readStream: async (...a) => (await store.readStream(...a)).map(up),
    readStreams: async (reads) => (await store.readStreams(reads)).map((events) => events.map(up)),
    readAll: async (...a) => (await store.readAll(...a)).map(up),
    subscribeToAll: (options) => ({
      async *[Symbol.asyncIterator]() {
        for await (const e of store.subscribeToAll(options)) yield up(e);
      },
    }),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
