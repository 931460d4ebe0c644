// ONE behavioural contract for every EventStore adapter. Each adapter's test file calls
// eventStoreContract() with a factory (*.int.test.ts for Postgres and EventStoreDB,
// memory-event-store.unit.test.ts for the in-memory store); everything here must hold for all.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  comparePositions,
  formatPosition,
  parsePosition,
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '../../src/eventstore/port.ts';

export interface ContractFixture {
  store: EventStore;
  teardown(): Promise<void>;
}

function newEvents(tenant: string, n: number, type = 'ThingHappened'): NewEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    type,
    data: { i, note: `event ${i}` },
    metadata: { tenant, actor: 'test', correlationId: randomUUID(), causationId: null },
  }));
}

async function expectWrongVersion(p: Promise<unknown>): Promise<WrongExpectedVersionError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(WrongExpectedVersionError);
    return err as WrongExpectedVersionError;
  }
  throw new Error('expected WrongExpectedVersionError');
}

/**
 * A new event becomes visible to log readers once every older transaction of the cluster has
 * ended, so a read right after an append waits (briefly) for what the test expects to see.
 * (Postgres; a store whose appends are visible at once returns from the first read.)
 */
async function readAllOfTenantUntil(
  store: EventStore,
  tenant: string,
  ok: (events: RecordedEvent[]) => boolean,
): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = await readAllOfTenant(store, tenant);
    if (ok(events) || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function readAllOfTenant(store: EventStore, tenant: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after = null;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 100, tenant });
    out.push(...page);
    if (page.length < 100) return out;
    after = page[page.length - 1]!.position;
  }
}

export function eventStoreContract(name: string, makeFixture: () => Promise<ContractFixture | null>): void {
  describe(`EventStore contract: ${name}`, function () {
    this.timeout(60_000);
    let fx: ContractFixture;
    let store: EventStore;
    let tenant: string;
    const stream = (label: string) => `${tenant}:thing:${label}-${randomUUID()}`;

    before(async function () {
      const made = await makeFixture();
      if (!made) {
        this.skip();
        return;
      }
      fx = made;
      store = made.store;
    });
    after(async () => {
      await fx?.teardown();
    });
    beforeEach(() => {
      tenant = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    });

    describe('appendToStream', () => {
      it('creates a stream with no_stream and numbers revisions from 0', async () => {
        const s = stream('a');
        const res = await store.appendToStream(s, newEvents(tenant, 3), { expectedRevision: 'no_stream' });
        expect(res.nextExpectedRevision).to.equal(2);
        const read = await store.readStream(s);
        expect(read.map((e) => e.revision)).to.deep.equal([0, 1, 2]);
        expect(read.map((e) => (e.data as { i: number }).i)).to.deep.equal([0, 1, 2]);
        expect(comparePositions(read[2]!.position, res.position)).to.equal(0);
        expect(read[0]!.metadata.tenant).to.equal(tenant);
        expect(read[0]!.streamName).to.equal(s);
        expect(read[0]!.createdAt).to.be.instanceOf(Date);
      });

      it('refuses no_stream when the stream exists, and writes nothing', async () => {
        const s = stream('b');
        await store.appendToStream(s, newEvents(tenant, 1), { expectedRevision: 'no_stream' });
        const err = await expectWrongVersion(
          store.appendToStream(s, newEvents(tenant, 2), { expectedRevision: 'no_stream' }),
        );
        expect(err.actual).to.equal(0);
        expect(await store.readStream(s)).to.have.length(1);
      });

      it('accepts the exact current revision and refuses a stale one', async () => {
        const s = stream('c');
        await store.appendToStream(s, newEvents(tenant, 2), { expectedRevision: 'no_stream' });
        const ok = await store.appendToStream(s, newEvents(tenant, 1), { expectedRevision: 1 });
        expect(ok.nextExpectedRevision).to.equal(2);
        const err = await expectWrongVersion(store.appendToStream(s, newEvents(tenant, 1), { expectedRevision: 1 }));
        expect(err.actual).to.equal(2);
        expect(await store.readStream(s)).to.have.length(3);
      });

      it('refuses an exact revision on a missing stream', async () => {
        const err = await expectWrongVersion(
          store.appendToStream(stream('d'), newEvents(tenant, 1), { expectedRevision: 0 }),
        );
        expect(err.actual).to.equal('no_stream');
      });

      it('stream_exists refuses a missing stream and accepts an existing one', async () => {
        const s = stream('e');
        await expectWrongVersion(store.appendToStream(s, newEvents(tenant, 1), { expectedRevision: 'stream_exists' }));
        await store.appendToStream(s, newEvents(tenant, 1));
        const res = await store.appendToStream(s, newEvents(tenant, 1), { expectedRevision: 'stream_exists' });
        expect(res.nextExpectedRevision).to.equal(1);
      });

      it('any appends whatever the revision', async () => {
        const s = stream('f');
        await store.appendToStream(s, newEvents(tenant, 1), { expectedRevision: 'any' });
        const res = await store.appendToStream(s, newEvents(tenant, 2), { expectedRevision: 'any' });
        expect(res.nextExpectedRevision).to.equal(2);
      });

      it('is idempotent by event id: appending the same events again writes nothing', async () => {
        const s = stream('g');
        const events = newEvents(tenant, 2);
        const first = await store.appendToStream(s, events, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(s, events, { expectedRevision: 'no_stream' });
        expect(again.nextExpectedRevision).to.equal(first.nextExpectedRevision);
        expect(await store.readStream(s)).to.have.length(2);
      });

      it('positions grow with every append', async () => {
        const s = stream('h');
        const a = await store.appendToStream(s, newEvents(tenant, 1));
        const b = await store.appendToStream(s, newEvents(tenant, 1));
        expect(comparePositions(a.position, b.position)).to.equal(-1);
        expect(parsePosition(formatPosition(b.position))).to.deep.equal(b.position);
      });

      it('lets exactly one of many concurrent writers with the same expected revision win', async () => {
        const s = stream('race');
        await store.appendToStream(s, newEvents(tenant, 1), { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream(s, newEvents(tenant, 1), { expectedRevision: 0 })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(WrongExpectedVersionError);
        expect(await store.readStream(s)).to.have.length(2);
      });
    });

    describe('appendToStreams (multi-stream append)', () => {
      const ids = (events: readonly RecordedEvent[]) => events.map((e) => e.id);

      it('appends to every stream, one result per write, positions in write order', async () => {
        const [a, b, c] = [stream('ma'), stream('mb'), stream('mc')];
        await store.appendToStream(b, newEvents(tenant, 1), { expectedRevision: 'no_stream' });
        const writes = [
          { streamName: a, events: newEvents(tenant, 2), expectedRevision: 'no_stream' as const },
          { streamName: b, events: newEvents(tenant, 1), expectedRevision: 0 },
          { streamName: c, events: newEvents(tenant, 1) },
        ];
        const results = await store.appendToStreams(writes);
        expect(results.map((r) => r.nextExpectedRevision)).to.deep.equal([1, 1, 0]);
        for (let i = 1; i < results.length; i++)
          expect(comparePositions(results[i - 1]!.position, results[i]!.position)).to.equal(-1);
        expect(ids(await store.readStream(a))).to.deep.equal(writes[0]!.events.map((e) => e.id));
        expect((await store.readStream(b)).map((e) => e.revision)).to.deep.equal([0, 1]);
        const written = writes.flatMap((w) => w.events.map((e) => e.id));
        const log = await readAllOfTenantUntil(store, tenant, (x) => x.length >= 5);
        expect(ids(log).slice(1), 'readAll sees the events in write order').to.deep.equal(written);
        expect(comparePositions(log[log.length - 1]!.position, results[2]!.position)).to.equal(0);
      });

      it('delivers a multi-stream append to a live subscriber in write order', async () => {
        const start = await store.appendToStream(stream('before'), newEvents(tenant, 1));
        const ac = new AbortController();
        const seen: RecordedEvent[] = [];
        const consumer = (async () => {
          for await (const e of store.subscribeToAll({ after: start.position, tenant, signal: ac.signal })) {
            seen.push(e);
            if (seen.length === 3) break;
          }
        })();
        const writes = [
          { streamName: stream('sa'), events: newEvents(tenant, 2) },
          { streamName: stream('sb'), events: newEvents(tenant, 1) },
        ];
        await store.appendToStreams(writes);
        await consumer;
        ac.abort();
        expect(ids(seen)).to.deep.equal(writes.flatMap((w) => w.events.map((e) => e.id)));
      });

      it('a wrong expected revision names its stream; all or nothing where atomic, else the writes before it stay', async () => {
        const [a, b, c] = [stream('wa'), stream('wb'), stream('wc')];
        await store.appendToStream(b, newEvents(tenant, 2), { expectedRevision: 'no_stream' });
        const writes = [
          { streamName: a, events: newEvents(tenant, 1), expectedRevision: 'no_stream' as const },
          { streamName: b, events: newEvents(tenant, 1), expectedRevision: 0 },
          { streamName: c, events: newEvents(tenant, 1), expectedRevision: 'no_stream' as const },
        ];
        const err = await expectWrongVersion(store.appendToStreams(writes));
        expect([err.streamName, err.expected, err.actual]).to.deep.equal([b, 0, 1]);
        expect(await store.readStream(b)).to.have.length(2);
        expect(await store.readStream(c), 'the writes after the failed one are never appended').to.deep.equal([]);
        if (store.atomicMultiStreamAppend) {
          expect(await store.readStream(a), 'nothing of a failed call is appended').to.deep.equal([]);
        } else {
          // Documented: not atomic across streams; the writes before the failure are appended.
          expect(ids(await store.readStream(a))).to.deep.equal([writes[0]!.events[0]!.id]);
        }
      });

      it('is idempotent by event id: a retry with the same ids answers as the first call, writing nothing', async () => {
        const [a, b] = [stream('ia'), stream('ib')];
        const writes = [
          { streamName: a, events: newEvents(tenant, 2), expectedRevision: 'no_stream' as const },
          { streamName: b, events: newEvents(tenant, 1), expectedRevision: 'no_stream' as const },
        ];
        const first = await store.appendToStreams(writes);
        const again = await store.appendToStreams(writes);
        expect(again.map((r) => r.nextExpectedRevision)).to.deep.equal(first.map((r) => r.nextExpectedRevision));
        for (const [i, r] of again.entries()) expect(comparePositions(r.position, first[i]!.position)).to.equal(0);
        expect(await store.readStream(a)).to.have.length(2);
        expect(await store.readStream(b)).to.have.length(1);
      });

      it('a retry of a failed call with the same ids heals it: every event exactly once', async () => {
        const [a, b] = [stream('ha'), stream('hb')];
        const blocker = await store.appendToStream(b, newEvents(tenant, 1), { expectedRevision: 'no_stream' });
        const writes = [
          { streamName: a, events: newEvents(tenant, 1), expectedRevision: 'no_stream' as const },
          { streamName: b, events: newEvents(tenant, 1), expectedRevision: 'no_stream' as ExpectedRevision },
        ];
        await expectWrongVersion(store.appendToStreams(writes));
        // The caller re-decides stream b only (same ids everywhere) and retries the whole call.
        writes[1]!.expectedRevision = blocker.nextExpectedRevision;
        const results = await store.appendToStreams(writes);
        expect(results.map((r) => r.nextExpectedRevision)).to.deep.equal([0, 1]);
        expect(ids(await store.readStream(a))).to.deep.equal([writes[0]!.events[0]!.id]);
        expect(await store.readStream(b)).to.have.length(2);
      });

      it('refuses a stream twice and a write without events, writing nothing', async () => {
        const [a, b] = [stream('da'), stream('db')];
        for (const writes of [
          [
            { streamName: a, events: newEvents(tenant, 1) },
            { streamName: b, events: newEvents(tenant, 1) },
            { streamName: a, events: newEvents(tenant, 1) },
          ],
          [
            { streamName: a, events: newEvents(tenant, 1) },
            { streamName: b, events: [] },
          ],
        ]) {
          let err: unknown = null;
          await store.appendToStreams(writes).catch((e: unknown) => (err = e));
          expect(err).to.be.instanceOf(Error);
        }
        expect(await store.readStream(a)).to.deep.equal([]);
        expect(await store.appendToStreams([])).to.deep.equal([]);
      });

      it('lets exactly one of concurrent calls over the same streams (in either order) win, where atomic', async function () {
        if (!store.atomicMultiStreamAppend) this.skip(); // per stream only: covered by appendToStream's race
        const [a, b] = [stream('ra'), stream('rb')];
        await store.appendToStreams([
          { streamName: a, events: newEvents(tenant, 1), expectedRevision: 'no_stream' },
          { streamName: b, events: newEvents(tenant, 1), expectedRevision: 'no_stream' },
        ]);
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => {
            const writes = [
              { streamName: a, events: newEvents(tenant, 1), expectedRevision: 0 },
              { streamName: b, events: newEvents(tenant, 1), expectedRevision: 0 },
            ];
            return store.appendToStreams(i % 2 === 0 ? writes : writes.reverse());
          }),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(WrongExpectedVersionError);
        expect(await store.readStream(a)).to.have.length(2);
        expect(await store.readStream(b)).to.have.length(2);
      });

      it('creating the same new streams in opposite orders concurrently: one call wins, none deadlocks', async function () {
        if (!store.atomicMultiStreamAppend) this.skip();
        const [a, b] = [stream('na'), stream('nb')];
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) => {
            const writes = [
              { streamName: a, events: newEvents(tenant, 1), expectedRevision: 'no_stream' as const },
              { streamName: b, events: newEvents(tenant, 1), expectedRevision: 'no_stream' as const },
            ];
            return store.appendToStreams(i % 2 === 0 ? writes : writes.reverse());
          }),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(WrongExpectedVersionError);
        expect(await store.readStream(a)).to.have.length(1);
        expect(await store.readStream(b)).to.have.length(1);
      });
    });

    describe('readStream', () => {
      it('returns [] for a missing stream', async () => {
        expect(await store.readStream(stream('missing'))).to.deep.equal([]);
      });

      it('reads forwards from a revision and backwards from the end, with maxCount', async () => {
        const s = stream('r');
        await store.appendToStream(s, newEvents(tenant, 5));
        expect((await store.readStream(s, { fromRevision: 2 })).map((e) => e.revision)).to.deep.equal([2, 3, 4]);
        expect(
          await store.readStream(s, { fromRevision: 5 }),
          'reading from the end (a cached state catching up) finds nothing',
        ).to.deep.equal([]);
        expect((await store.readStream(s, { maxCount: 2 })).map((e) => e.revision)).to.deep.equal([0, 1]);
        expect(
          (await store.readStream(s, { direction: 'backwards', maxCount: 2 })).map((e) => e.revision),
        ).to.deep.equal([4, 3]);
        expect(
          (await store.readStream(s, { direction: 'backwards', fromRevision: 1 })).map((e) => e.revision),
        ).to.deep.equal([1, 0]);
      });
    });

    describe('readStreams', () => {
      it('reads several streams at once, each from its revision, in read order, [] for a missing one', async () => {
        const a = stream('a');
        const b = stream('b');
        await store.appendToStream(a, newEvents(tenant, 3));
        await store.appendToStream(b, newEvents(tenant, 2));
        const read = await store.readStreams([
          { streamName: b },
          { streamName: stream('missing') },
          { streamName: a, fromRevision: 1 },
          { streamName: a, fromRevision: 3 },
          { streamName: b, fromRevision: 1 },
        ]);
        expect(read.map((events) => events.map((e) => `${e.streamName === a ? 'a' : 'b'}${e.revision}`))).to.deep.equal(
          [['b0', 'b1'], [], ['a1', 'a2'], [], ['b1']],
        );
        expect(read[2]![0]!.data, 'the events themselves, as readStream gives them').to.deep.equal(
          (await store.readStream(a, { fromRevision: 1 }))[0]!.data,
        );
        expect(await store.readStreams([])).to.deep.equal([]);
      });
    });

    describe('readAll', () => {
      it('pages a tenant’s events in log order, strictly after a position', async () => {
        const s1 = stream('x');
        const s2 = stream('y');
        await store.appendToStream(s1, newEvents(tenant, 2));
        await store.appendToStream(s2, newEvents(tenant, 2));
        await store.appendToStream(s1, newEvents(tenant, 1));
        const all = await readAllOfTenantUntil(store, tenant, (x) => x.length >= 5);
        expect(all.map((e) => e.streamName)).to.deep.equal([s1, s1, s2, s2, s1]);
        for (let i = 1; i < all.length; i++)
          expect(comparePositions(all[i - 1]!.position, all[i]!.position)).to.equal(-1);
        const rest = await store.readAll({ after: all[1]!.position, maxCount: 10, tenant });
        expect(rest.map((e) => e.id)).to.deep.equal(all.slice(2).map((e) => e.id));
      });

      it('keeps tenants apart', async () => {
        const other = `${tenant}x`;
        await store.appendToStream(`${other}:thing:1-${randomUUID()}`, newEvents(other, 1));
        await store.appendToStream(stream('z'), newEvents(tenant, 1));
        const mine = await readAllOfTenantUntil(store, tenant, (x) => x.length >= 1);
        expect(mine).to.have.length(1);
        expect(mine[0]!.metadata.tenant).to.equal(tenant);
      });

      it('reads only the asked-for event types, in log order', async () => {
        const s = stream('types');
        await store.appendToStream(s, [
          ...newEvents(tenant, 1, 'Wanted'),
          ...newEvents(tenant, 2, 'Skipped'),
          ...newEvents(tenant, 1, 'AlsoWanted'),
        ]);
        const all = await readAllOfTenantUntil(store, tenant, (x) => x.filter((e) => e.streamName === s).length >= 4);
        const ofStream = all.filter((e) => e.streamName === s);
        const before = all[all.indexOf(ofStream[0]!) - 1]?.position ?? null;
        const picked = await store.readAll({ after: before, maxCount: 10, tenant, types: ['Wanted', 'AlsoWanted'] });
        expect(picked.map((e) => e.type)).to.deep.equal(['Wanted', 'AlsoWanted']);
        expect(picked.map((e) => e.revision)).to.deep.equal([0, 3]);
      });

      it('headPosition is at or past the newest append', async () => {
        const res = await store.appendToStream(stream('head'), newEvents(tenant, 1));
        await readAllOfTenantUntil(store, tenant, (x) => x.length >= 1);
        const head = await store.headPosition();
        expect(head).to.not.equal(null);
        expect(comparePositions(head!, res.position)).to.be.at.least(0);
      });
    });

    describe('subscribeToAll', () => {
      it('starts strictly after the given position and then follows live appends', async () => {
        const s = stream('sub');
        const first = await store.appendToStream(s, newEvents(tenant, 2));
        const ac = new AbortController();
        const seen: RecordedEvent[] = [];
        const consumer = (async () => {
          for await (const e of store.subscribeToAll({ after: first.position, tenant, signal: ac.signal })) {
            seen.push(e);
            if (seen.length === 3) break;
          }
        })();
        await store.appendToStream(s, newEvents(tenant, 3));
        await consumer;
        ac.abort();
        expect(seen.map((e) => e.revision)).to.deep.equal([2, 3, 4]);
      });

      it('delivers every event of many concurrent writers exactly once, in one consistent order', async function () {
        this.timeout(120_000);
        const writers = 16;
        const appendsPerWriter = 25;
        const total = writers * appendsPerWriter * 2; // two events per append
        const ac = new AbortController();
        const seen: RecordedEvent[] = [];
        const consumer = (async () => {
          for await (const e of store.subscribeToAll({ tenant, signal: ac.signal })) {
            seen.push(e);
            if (seen.length >= total) break;
          }
        })();
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < appendsPerWriter; i++) {
              // half the writers share streams, so some appends contend on the same stream
              const s = `${tenant}:thing:${w % 2 === 0 ? `shared-${i % 3}` : `own-${w}`}`;
              await store.appendToStream(s, newEvents(tenant, 2), { expectedRevision: 'any' });
            }
          }),
        );
        const timer = setTimeout(() => ac.abort(), 60_000); // a missing event ends the wait, not the run
        await consumer;
        clearTimeout(timer);
        ac.abort();
        const ids = seen.map((e) => e.id);
        const dupes = seen.filter((e, i) => ids.indexOf(e.id) !== i);
        if (dupes.length)
          console.log(
            'DUPES',
            dupes.slice(0, 3).map((e) => [formatPosition(e.position), e.streamName, e.revision]),
            seen.length,
          );
        expect(seen).to.have.length(total);
        expect(new Set(seen.map((e) => e.id)).size).to.equal(total);
        for (let i = 1; i < seen.length; i++)
          expect(comparePositions(seen[i - 1]!.position, seen[i]!.position)).to.equal(-1);
        // The subscription's order is the log's order as a later reader sees it.
        const replay = await readAllOfTenantUntil(store, tenant, (x) => x.length >= total);
        expect(replay.map((e) => e.id)).to.deep.equal(seen.map((e) => e.id));
        // And within each stream the revisions arrive in order without gaps.
        const byStream = new Map<string, number[]>();
        for (const e of seen) byStream.set(e.streamName, [...(byStream.get(e.streamName) ?? []), e.revision]);
        for (const revs of byStream.values()) expect(revs).to.deep.equal(revs.map((_, i) => i));
      });
    });
  });
}
