import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { AppendWaiters } from '../../src/eventstore/memory/append-waiters.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/memory-event-store.ts';
import {
  DuplicateEventIdError,
  WrongExpectedVersionError,
  type NewEvent,
  type RecordedEvent,
} from '../../src/eventstore/port.ts';
import { eventStoreContract } from './eventstore.contract.ts';

// The shared contract against the in-memory store: no Postgres, no Redis, no network.
eventStoreContract('memory', async () => {
  const store = new MemoryEventStore();
  return { store, teardown: () => store.close() };
});

// What the contract does not pin down (it has to hold for every adapter), for this one.
describe('Memory event store', () => {
  const ev = (n: number, id: string = randomUUID()): NewEvent => ({
    id,
    type: 'ThingHappened',
    data: { n, tags: ['a'] },
    metadata: { tenant: 't1', actor: 'test', correlationId: 'c', causationId: null },
  });
  const waiting = (store: MemoryEventStore) => (store as unknown as { waiters: AppendWaiters }).waiters.size;
  async function rejection(p: Promise<unknown>): Promise<unknown> {
    try {
      await p;
    } catch (err) {
      return err;
    }
    throw new Error('expected a rejection');
  }

  it('copies events on append and on read, so callers cannot change what is stored', async () => {
    const store = new MemoryEventStore();
    const e = ev(1);
    await store.appendToStream('t1:thing:1', [e]);
    (e.data as { tags: string[] }).tags.push('changed after append');
    e.metadata.actor = 'changed after append';
    const [read] = await store.readStream('t1:thing:1');
    (read!.data as { tags: string[] }).tags.push('changed after read');
    read!.createdAt.setTime(0);
    const [again] = await store.readAll({ maxCount: 10 });
    expect(again!.data).to.deep.equal({ n: 1, tags: ['a'] });
    expect(again!.metadata.actor).to.equal('test');
    expect(again!.createdAt.getTime()).to.not.equal(0);
  });

  it('takes createdAt from the injected clock, once per append', async () => {
    let now = Date.parse('2030-01-02T03:04:05.000Z');
    const store = new MemoryEventStore({ clock: () => new Date(now) });
    await store.appendToStream('t1:thing:1', [ev(1), ev(2)]);
    now += 60_000;
    await store.appendToStream('t1:thing:1', [ev(3)]);
    const times = (await store.readStream('t1:thing:1')).map((e) => e.createdAt.toISOString());
    expect(times).to.deep.equal(['2030-01-02T03:04:05.000Z', '2030-01-02T03:04:05.000Z', '2030-01-02T03:05:05.000Z']);
  });

  it('numbers positions by a global sequence, commit and prepare alike', async () => {
    const store = new MemoryEventStore();
    expect(await store.headPosition()).to.equal(null);
    const a = await store.appendToStream('t1:thing:1', [ev(1), ev(2)]);
    const b = await store.appendToStream('t2:thing:1', [ev(3)]);
    expect(a.position).to.deep.equal({ commit: 2n, prepare: 2n });
    expect(b.position).to.deep.equal({ commit: 3n, prepare: 3n });
    expect(await store.headPosition()).to.deep.equal(b.position);
  });

  it('re-appending stored ids answers with the current revision and the original position, as Postgres does', async () => {
    const store = new MemoryEventStore();
    const batch = [ev(1), ev(2)];
    const first = await store.appendToStream('t1:thing:1', batch, { expectedRevision: 'no_stream' });
    await store.appendToStream('t1:thing:1', [ev(3)]);
    const again = await store.appendToStream('t1:thing:1', batch, { expectedRevision: 7 });
    expect(again).to.deep.equal({ nextExpectedRevision: 2, position: first.position });
    expect(await store.readStream('t1:thing:1')).to.have.length(3);
  });

  it('refuses a stored id elsewhere, a partial retry and an id twice in one batch, writing nothing', async () => {
    const store = new MemoryEventStore();
    const stored = ev(1);
    await store.appendToStream('t1:thing:1', [stored]);
    const fresh = ev(2);
    for (const [stream, events] of [
      ['t1:thing:2', [stored]],
      ['t1:thing:1', [stored, fresh]],
      ['t1:thing:3', [fresh, ev(3, fresh.id)]],
    ] as const) {
      const err = await rejection(store.appendToStream(stream, events));
      expect(err).to.be.instanceOf(DuplicateEventIdError);
    }
    expect((await store.readAll({ maxCount: 10 })).map((e) => e.id)).to.deep.equal([stored.id]);
    // A conflict on the expected revision is reported before an id repeated within the batch.
    const conflict = await rejection(
      store.appendToStream('t1:thing:1', [fresh, ev(3, fresh.id)], { expectedRevision: 'no_stream' }),
    );
    expect(conflict).to.be.instanceOf(WrongExpectedVersionError);
  });

  it('wants UUIDs for event ids and reads them back in lower case', async () => {
    const store = new MemoryEventStore();
    expect(await rejection(store.appendToStream('t1:thing:1', [ev(1, 'evt-1')]))).to.be.instanceOf(TypeError);
    const id = randomUUID();
    await store.appendToStream('t1:thing:1', [ev(1, id.toUpperCase())]);
    expect((await store.readStream('t1:thing:1'))[0]!.id).to.equal(id);
    await store.appendToStream('t1:thing:1', [ev(1, id)]); // the same id: a no-op
    expect(await store.readStream('t1:thing:1')).to.have.length(1);
  });

  it('ends a waiting subscription on abort, and on break, leaving no waiter behind', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream('t1:thing:1', [ev(1)]);
    const ac = new AbortController();
    const seen: RecordedEvent[] = [];
    const aborted = (async () => {
      for await (const e of store.subscribeToAll({ signal: ac.signal })) seen.push(e);
    })();
    const broken = (async () => {
      for await (const e of store.subscribeToAll({ tenant: 't1' })) if (e.revision === 1) break;
    })();
    await new Promise((r) => setImmediate(r));
    expect(waiting(store)).to.equal(2);
    await store.appendToStream('t1:thing:1', [ev(2)]);
    await broken;
    ac.abort();
    await aborted;
    expect(seen.map((e) => e.revision)).to.deep.equal([0, 1]);
    expect(waiting(store)).to.equal(0);
  });

  it('close() ends live subscriptions, and the store refuses calls afterwards', async () => {
    const store = new MemoryEventStore();
    const live = (async () => {
      let n = 0;
      for await (const _ of store.subscribeToAll()) n++;
      return n;
    })();
    await store.appendToStream('t1:thing:1', [ev(1)]);
    await store.close();
    expect(await live).to.equal(1);
    expect(await rejection(store.ping())).to.be.instanceOf(Error);
    expect(await rejection(store.appendToStream('t1:thing:1', [ev(2)]))).to.be.instanceOf(Error);
    await store.close();
  });
});
