import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventStoreContract } from './eventstore.contract.ts';

eventStoreContract('postgres', async () => {
  const db = await createTestDatabase();
  return { store: new PostgresEventStore(db.pool, { pollIntervalMs: 5 }), teardown: () => db.drop() };
});

describe('Postgres event store: transactions that commit out of order', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  it('holds back later commits until an older open transaction ends, so nothing is skipped', async () => {
    const store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    const tenant = 'ooo';
    const ev = (n: string) => ({
      id: randomUUID(),
      type: 'T',
      data: { n },
      metadata: { tenant, actor: 't', correlationId: 'c', causationId: null },
    });
    // Writer A takes a transaction id first and stays open.
    const slow = await db.pool.connect();
    await slow.query('begin');
    await slow.query('select es_append($1, $2, null, $3::jsonb)', [
      `${tenant}:x:slow`,
      'any',
      JSON.stringify([ev('slow')]),
    ]);
    // Writer B starts later and commits first.
    await store.appendToStream(`${tenant}:x:fast`, [ev('fast')]);

    const ac = new AbortController();
    const seen: RecordedEvent[] = [];
    const consumer = (async () => {
      for await (const e of store.subscribeToAll({ tenant, signal: ac.signal })) {
        seen.push(e);
        if (seen.length === 2) break;
      }
    })();
    // While A is open the reader must not move past it: B stays invisible.
    expect(await store.readAll({ maxCount: 10, tenant })).to.have.length(0);
    await slow.query('commit');
    slow.release();
    await consumer;
    ac.abort();
    expect(seen.map((e) => (e.data as { n: string }).n)).to.deep.equal(['slow', 'fast']);
  });
});
