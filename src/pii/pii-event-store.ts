import { REDACTED, redactedAddress, redactedPii } from '../../domain/customers/redacted.ts';
import { idOfStream, type EventStore, type NewEvent, type RecordedEvent } from '../eventstore/port.ts';
import { isEnvelope, open, seal, type PiiEnvelope } from './envelope.ts';
import type { PiiKeys } from './keys.ts';

// Personal data is encrypted on its way into the event store and decrypted on its way out, so
// the log holds ciphertext while deciders, projections, the feed and webhooks see plain values,
// or, once the customer's key is destroyed, redacted ones of a fixed shape.
//
// Where personal data sits, per event type: the slot's holder object, its field, and what it reads
// back as without a key (a customer's pii; an order's shippingAddress, free-text notes and hold notes). (A CustomerUpdated's pii is a partial set of fields; without the key
// nobody can tell which fields changed, so it reads back as no change at all.)

type Data = Record<string, unknown>;
interface Slot {
  holder: Data;
  field: string;
  redacted: () => unknown;
}

/**
 * Free-text notes may name anyone, so they are the customer's personal data too. Only text is
 * sealed (null stays null); notes of events written before they were encrypted stay plain.
 */
const notesSlot = (holder: Data): Slot[] =>
  typeof holder.notes === 'string' || isEnvelope(holder.notes)
    ? [{ holder, field: 'notes', redacted: () => REDACTED }]
    : [];

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
      return { data: d, slots: [{ holder: d, field: 'shippingAddress', redacted: redactedAddress }, ...notesSlot(d)] };
    }
    case 'OrderUpdated': {
      const changes = data.changes as Data | undefined;
      if (
        !changes ||
        (changes.shippingAddress === undefined && typeof changes.notes !== 'string' && !isEnvelope(changes.notes))
      )
        return { data, slots: [] };
      const d = copy(data);
      const c = copy(changes);
      d.changes = c;
      const address: Slot[] =
        c.shippingAddress === undefined ? [] : [{ holder: c, field: 'shippingAddress', redacted: redactedAddress }];
      return { data: d, slots: [...address, ...notesSlot(c)] };
    }
    case 'OrderHoldPlaced': {
      // A hold's note is free text like the order's notes (null stays null).
      if (typeof data.note !== 'string' && !isEnvelope(data.note)) return { data, slots: [] };
      const d = copy(data);
      return { data: d, slots: [{ holder: d, field: 'note', redacted: () => REDACTED }] };
    }
    default:
      return { data, slots: [] };
  }
}

const customerOf = (data: unknown) => {
  const id = (data as Data | undefined)?.customerId;
  return typeof id === 'string' ? id : null;
};
const tenantOf = (streamName: string) => streamName.slice(0, streamName.indexOf(':'));
const categoryOf = (streamName: string) => streamName.split(':')[1];

/** Order streams whose customer is known (an order's customer never changes), at most this many. */
const OWNERS_MAX = 10_000;

export function withPiiEncryption(store: EventStore, keys: PiiKeys): EventStore {
  const orderOwners = new Map<string, string>();

  /**
   * The customer whose personal data an event of this stream may hold, from the stream itself:
   * a customer stream's id, an order's customer (named by its OrderPlaced). Never an envelope's
   * own claim, so an envelope copied into another customer's stream does not open there.
   */
  async function ownerOf(
    streamName: string,
    e: { type: string; data: unknown },
    page: readonly Pick<RecordedEvent, 'streamName' | 'type' | 'data'>[] = [],
  ) {
    const category = categoryOf(streamName);
    if (category === 'customer') return idOfStream(streamName);
    if (category !== 'order') return null;
    if (e.type === 'OrderPlaced') return customerOf(e.data);
    const known = orderOwners.get(streamName);
    if (known) return known;
    const placed =
      page.find((r) => r.streamName === streamName && r.type === 'OrderPlaced') ??
      (await store.readStream(streamName, { maxCount: 1 })).find((r) => r.type === 'OrderPlaced');
    const owner = placed ? customerOf(placed.data) : null;
    if (owner) {
      if (orderOwners.size >= OWNERS_MAX) orderOwners.delete(orderOwners.keys().next().value!);
      orderOwners.set(streamName, owner);
    }
    return owner;
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
      // An OrderPlaced earlier in the same append names the order's customer (it is not stored yet).
      const customerId = await ownerOf(
        streamName,
        e,
        events.map((x) => ({ streamName, type: x.type, data: x.data })),
      );
      if (!customerId) throw new Error(`cannot tell whose personal data ${e.type} on ${streamName} holds`);
      const key = await keys.keyForWriting(tenant, customerId);
      for (const s of plain) s.holder[s.field] = seal(key, tenant, customerId, s.holder[s.field]);
      out.push({ ...e, data });
    }
    return out;
  }

  async function decrypt(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    // One key lookup per tenant per page, not per event.
    const wanted = new Map<string, Set<string>>();
    const pending: { index: number; tenant: string; owner: string | null; data: Data; slots: Slot[] }[] = [];
    for (const [index, e] of events.entries()) {
      const { data, slots: found } = slots(e.type, e.data as Data, (d) => ({ ...d }));
      const sealed = found.filter((s) => isEnvelope(s.holder[s.field]));
      if (sealed.length === 0) continue;
      const tenant = tenantOf(e.streamName);
      const owner = await ownerOf(e.streamName, e, events);
      if (owner) {
        const ids = wanted.get(tenant) ?? new Set<string>();
        ids.add(owner);
        wanted.set(tenant, ids);
      }
      pending.push({ index, tenant, owner, data, slots: sealed });
    }
    if (pending.length === 0) return events;
    const keyring = new Map<string, Map<string, Buffer | null>>();
    for (const [tenant, ids] of wanted) keyring.set(tenant, await keys.keysFor(tenant, ids));
    const out = [...events];
    for (const p of pending) {
      const key = p.owner ? (keyring.get(p.tenant)?.get(p.owner) ?? null) : null;
      for (const s of p.slots) {
        const envelope = s.holder[s.field] as PiiEnvelope;
        // Sealed for someone else than this stream's owner: not this stream's data, so it reads
        // as redacted, like a forgotten customer's (documented in docs/security.md).
        const ours = key !== null && envelope.customerId === p.owner;
        s.holder[s.field] = ours ? open(key, p.tenant, p.owner!, envelope) : s.redacted();
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
    readStreams: async (reads) => Promise.all((await store.readStreams(reads)).map(decrypt)),
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
