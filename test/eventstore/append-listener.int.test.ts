// The Postgres store's append notifications, as two processes see them: each has its own LISTEN
// connection, and every committed append reaches each once, naming the appending transaction.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { AppendListener } from '../../src/eventstore/postgres/append-listener.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

describe('Postgres append notifications (LISTEN/NOTIFY)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  const listeners: AppendListener[] = [];
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(listeners.map((l) => l.stop()));
    await db?.drop();
  });

  const events = (n: number) =>
    Array.from({ length: n }, () => ({
      id: randomUUID(),
      type: 'T',
      data: {},
      metadata: { tenant: 'tn', actor: 't', correlationId: 'c', causationId: null },
    }));

  it('tells every listening process once per appending transaction, with its transaction id', async () => {
    const heard: (bigint | undefined)[][] = [[], []];
    for (const h of heard) {
      const l = new AppendListener(db.url, (commit) => h.push(commit));
      listeners.push(l);
      l.start();
    }
    await waitFor(
      async () => listeners.every((l) => l.listening),
      (ok) => ok,
      { what: 'both listening' },
    );
    const store = new PostgresEventStore(db.pool);
    const multi = await store.appendToStreams([
      { streamName: 'tn:x:a', events: events(2) },
      { streamName: 'tn:x:b', events: events(1) },
      { streamName: 'tn:x:c', events: events(3) },
    ]);
    const single = await store.appendToStream('tn:x:a', events(1));
    await store.appendToStream('tn:x:b', events(1));
    // Notifications of one connection arrive in commit order: once the last is in, all are.
    await waitFor(
      async () => heard.map((h) => h.filter((c) => c !== undefined).length),
      (counts) => counts.every((n) => n >= 3),
      { what: 'three notifications on each connection' },
    );
    for (const h of heard) {
      const commits = h.filter((c) => c !== undefined);
      expect(commits, 'one per transaction, whatever its streams and events').to.have.length(3);
      expect(commits[0]).to.equal(multi[0]!.position.commit);
      expect(commits[1]).to.equal(single.position.commit);
    }
  });

  it('an idempotent re-append (nothing written) announces nothing', async () => {
    const heard: bigint[] = [];
    const l = new AppendListener(db.url, (commit) => commit !== undefined && heard.push(commit));
    listeners.push(l);
    l.start();
    await waitFor(
      async () => l.listening,
      (ok) => ok,
      { what: 'listening' },
    );
    const store = new PostgresEventStore(db.pool);
    const batch = events(1);
    await store.appendToStream('tn:x:d', batch);
    await store.appendToStream('tn:x:d', batch); // a retry: a no-op
    const last = await store.appendToStream('tn:x:e', events(1));
    await waitFor(
      async () => heard.length,
      (n) => n >= 2,
      { what: 'two notifications' },
    );
    expect(heard).to.have.length(2);
    expect(heard[1]).to.equal(last.position.commit);
  });
});
