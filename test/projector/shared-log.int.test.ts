// The log page reader shared by a process's projections, over the real Postgres event store.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { comparePositions, type EventStore, type Position, type ReadAllOptions } from '../../src/eventstore/port.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { sharedLogReader } from '../../src/projector/shared-log.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

describe('Shared log page reader (real Postgres)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  const tenant = `t${randomUUID().slice(0, 8)}`;
  let appended: Position | null = null;
  const append = async (n: number) => {
    const res = await store.appendToStream(
      `${tenant}:x:${randomUUID()}`,
      Array.from({ length: n }, () => ({
        id: randomUUID(),
        type: 'T',
        data: {},
        metadata: { tenant, actor: 't', correlationId: 'c', causationId: null },
      })),
    );
    appended = res.position;
    return res;
  };
  /**
   * The log head once every earlier append is visible (a busy cluster's older transactions can
   * hide a commit for a while; a head read before would put those events after it).
   */
  const visibleHead = () =>
    waitFor(
      () => store.headPosition(),
      (head) => appended === null || (head !== null && comparePositions(head, appended) >= 0),
      { what: 'earlier appends to be visible' },
    );
  /** The real store, counting readAll calls. */
  const counted = () => {
    const calls: ReadAllOptions[] = [];
    const s: EventStore = Object.create(store);
    s.readAll = (o) => {
      calls.push(o);
      return store.readAll(o);
    };
    return { store: s, calls };
  };
  before(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
  });
  after(async () => db.drop());

  it('given five projections at the same checkpoint, when they read, then the log is read once and all get the same events', async () => {
    await append(3);
    await visibleHead(); // an empty first page would not be kept, and the count below be 2
    const { store: s, calls } = counted();
    const read = sharedLogReader(s);
    const pages = await Promise.all(Array.from({ length: 5 }, () => read(null, 100)));
    expect(calls).to.have.length(1);
    for (const p of pages) expect(p.map((e) => e.id)).to.deep.equal(pages[0]!.map((e) => e.id));
    // Later readers at that position still share the page (it can only have grown at its end).
    await append(1);
    expect((await read(null, 100)).length).to.equal(pages[0]!.length);
    expect(calls).to.have.length(1);
  });

  it('given an empty page, when events arrive after its time to live, then the next read sees them', async () => {
    const head = await visibleHead();
    const { store: s, calls } = counted();
    const read = sharedLogReader(s, { emptyTtlMs: 0 });
    expect(await read(head, 100)).to.deep.equal([]);
    await append(2);
    // A new event becomes visible once every older transaction of the cluster has ended (other
    // writers may be busy), so the reader polls; each poll is a read of its own (no kept empty page).
    const seen = await waitFor(
      () => read(head, 100),
      (page) => page.length === 2,
      { what: 'the two new events' },
    );
    expect(seen).to.have.length(2);
    expect(calls.length).to.be.at.least(2);
  });

  it('given an empty page within its time to live, then it is reused (no read per projection per poll)', async () => {
    const head = await visibleHead();
    const { store: s, calls } = counted();
    const read = sharedLogReader(s, { emptyTtlMs: 60_000 });
    for (let i = 0; i < 5; i++) expect(await read(head, 100)).to.deep.equal([]);
    expect(calls).to.have.length(1);
  });

  it('given an empty page within its time to live, when a wake-up came since, then the log is read again', async () => {
    const head = await visibleHead();
    const { store: s, calls } = counted();
    let epoch = 0;
    const read = sharedLogReader(s, { emptyTtlMs: 60_000, epoch: () => epoch });
    expect(await read(head, 100)).to.deep.equal([]);
    await append(1);
    await visibleHead(); // the store shows it (older transactions of a busy cluster can hide it a while)
    expect(await read(head, 100), 'the kept empty page, no wake-up yet').to.deep.equal([]);
    epoch++; // the append's notification
    expect(await read(head, 100)).to.have.length(1);
    expect(calls).to.have.length(2);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const s: EventStore = Object.create(store);
    s.readAll = (o) => (fail ? Promise.reject(new Error('connection lost')) : store.readAll(o));
    const read = sharedLogReader(s, { emptyTtlMs: 60_000 });
    await read(null, 10).then(
      () => expect.fail('should fail'),
      (err: Error) => expect(err.message).to.equal('connection lost'),
    );
    fail = false;
    await new Promise((r) => setImmediate(r));
    expect(await read(null, 10)).to.have.length.greaterThan(0);
  });
});
