// The Postgres store's append notifications, as two processes see them: each has its own LISTEN
// connection, and every committed append reaches each, naming the appending transaction. The store
// sends them after the commit (no trigger); appends committed while one is on its way are announced
// together by the next, which names the newest of their transactions.
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

  it('announces appends made together with fewer notifications, the last naming the newest transaction', async () => {
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
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.appendToStream(`tn:y:${i}`, events(1))),
    );
    const commits = results.map((r) => r.position.commit);
    const newest = [...commits].sort((a, b) => (a < b ? -1 : 1)).at(-1)!;
    await waitFor(
      async () => heard.at(-1),
      (last) => last === newest,
      { what: 'the newest transaction announced' },
    );
    await store.announcer.settled();
    expect(heard.length, 'at most one per append').to.be.at.most(30);
    expect(store.announcer.sent).to.be.at.most(30);
    for (const c of heard) expect(commits, 'only transactions that appended').to.include(c);
    const triggers = await db.pool.query(
      `select 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid
        where t.tgrelid = 'es_events'::regclass and not t.tgisinternal and p.prosrc ilike '%pg_notify%'`,
    );
    expect(triggers.rowCount, 'no NOTIFY trigger holds commits back').to.equal(0);
  });
});
