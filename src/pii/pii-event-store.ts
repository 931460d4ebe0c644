import { redactedAddress, redactedPii } from '../../domain/customers/redacted.ts';
import type { EventStore, NewEvent, RecordedEvent } from '../eventstore/port.ts';
import { isEnvelope, open, seal } from './envelope.ts';
import type { PiiKeys } from './keys.ts';

// Personal data is encrypted on its way into the event store and decrypted on its way out, so
// the log holds ciphertext while deciders, projections, the feed and webhooks see plain values,
// or, once the customer's key is destroyed, redacted ones of a fixed shape.
//
// Where personal data sits, per event type: the slot's holder object, its field, and what it reads
// back as without a key. (A CustomerUpdated's pii is a partial set of fields; without the key
// nobody can tell which fields changed, so it reads back as no change at all.)

type Data = Record<string, unknown>;
interface Slot {
  holder: Data;
  field: string;
  redacted: () => unknown;
}

/** The slots of one event; `copy` makes fresh holder objects, so recorded data is never mutated. */
function slots(type: string, data: Data, copy: (d: Data) => Data): { data: Data; slots: Slot[] } {
  switch (type) {
    case 'CustomerRegistered':
    case 'CustomerUpdated': {
      const d = copy(data);
      return {
        data: d,
        slots: [{ holder: d, field: 'pii', redacted: type === 'CustomerRegistered' ? redactedPii : () => ({}) }],
      };
    }
    case 'OrderPlaced': {
      const d = copy(data);
      return { data: d, slots: [{ holder: d, field: 'shippingAddress', redacted: redactedAddress }] };
    }
    case 'OrderUpdated': {
      const changes = data.changes as Data | undefined;
      if (!changes || changes.shippingAddress === undefined) return { data, slots: [] };
      const d = copy(data);
      d.changes = copy(changes);
      return { data: d, slots: [{ holder: d.changes as Data, field: 'shippingAddress', redacted: redactedAddress }] };
    }
    default:
      return { data, slots: [] };
  }
}

const tenantOf = (streamName: string) => streamName.slice(0, streamName.indexOf(':'));

export function withPiiEncryption(store: EventStore, keys: PiiKeys): EventStore {
  /** The customer an event's personal data belongs to. */
  async function ownerOf(streamName: string, e: NewEvent): Promise<string> {
    const data = e.data as Data;
    if (typeof data.customerId === 'string') return data.customerId;
    // OrderUpdated does not repeat the customer: the order's first event names it.
    const placed = (await store.readStream(streamName)).find((r) => r.type === 'OrderPlaced');
    const customerId = (placed?.data as Data | undefined)?.customerId;
    if (typeof customerId !== 'string')
      throw new Error(`cannot tell whose personal data ${e.type} on ${streamName} holds`);
    return customerId;
  }

  async function encrypt(streamName: string, events: readonly NewEvent[]): Promise<NewEvent[]> {
    const tenant = tenantOf(streamName);
    const out: NewEvent[] = [];
    for (const e of events) {
      const { data, slots: found } = slots(e.type, e.data as Data, (d) => ({ ...d }));
      const plain = found.filter((s) => s.holder[s.field] !== undefined && !isEnvelope(s.holder[s.field]));
      if (plain.length === 0) {
        out.push(e);
        continue;
      }
      const customerId = await ownerOf(streamName, e);
      const key = await keys.keyForWriting(tenant, customerId);
      for (const s of plain) s.holder[s.field] = seal(key, tenant, customerId, s.holder[s.field]);
      out.push({ ...e, data });
    }
    return out;
  }

  async function decrypt(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    // One key lookup per tenant per page, not per event.
    const wanted = new Map<string, Set<string>>();
    const pending: { index: number; tenant: string; data: Data; slots: Slot[] }[] = [];
    events.forEach((e, index) => {
      const { data, slots: found } = slots(e.type, e.data as Data, (d) => ({ ...d }));
      const sealed = found.filter((s) => isEnvelope(s.holder[s.field]));
      if (sealed.length === 0) return;
      const tenant = tenantOf(e.streamName);
      for (const s of sealed) {
        const ids = wanted.get(tenant) ?? new Set<string>();
        ids.add((s.holder[s.field] as { customerId: string }).customerId);
        wanted.set(tenant, ids);
      }
      pending.push({ index, tenant, data, slots: sealed });
    });
    if (pending.length === 0) return events;
    const keyring = new Map<string, Map<string, Buffer | null>>();
    for (const [tenant, ids] of wanted) keyring.set(tenant, await keys.keysFor(tenant, ids));
    const out = [...events];
    for (const p of pending) {
      for (const s of p.slots) {
        const envelope = s.holder[s.field] as Parameters<typeof open>[2];
        const key = keyring.get(p.tenant)?.get(envelope.customerId) ?? null;
        s.holder[s.field] = key ? open(key, p.tenant, envelope) : s.redacted();
      }
      out[p.index] = { ...events[p.index]!, data: p.data };
    }
    return out;
  }

  return {
    kind: store.kind,
    appendToStream: async (streamName, events, options) =>
      store.appendToStream(streamName, await encrypt(streamName, events), options),
    appendToStreams: async (writes) =>
      store.appendToStreams(
        await Promise.all(writes.map(async (w) => ({ ...w, events: await encrypt(w.streamName, w.events) }))),
      ),
    atomicMultiStreamAppend: store.atomicMultiStreamAppend,
    readStream: async (...a) => decrypt(await store.readStream(...a)),
    readAll: async (...a) => decrypt(await store.readAll(...a)),
    subscribeToAll: (options) => ({
      async *[Symbol.asyncIterator]() {
        for await (const e of store.subscribeToAll(options)) yield (await decrypt([e]))[0]!;
      },
    }),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
