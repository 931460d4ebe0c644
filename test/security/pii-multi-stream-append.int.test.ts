// A multi-stream append goes through the same personal-data encryption as a single append: the log
// holds ciphertext, readers see the plain values.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { PiiKeys } from '../../src/pii/keys.ts';
import { withPiiEncryption } from '../../src/pii/pii-event-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('Personal data in a multi-stream append', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it('is encrypted in the log and read back in plain', async () => {
    const keys = new PiiKeys(db.pool, loadConfig({ DATABASE_URL: db.url, OMS_DEV_KEYS: '1' }).masterKey);
    const store = withPiiEncryption(new PostgresEventStore(db.pool), keys);
    const tenant = 'tpii';
    const customerId = randomUUID();
    const meta = { tenant, actor: 'test', correlationId: randomUUID(), causationId: null };
    const pii = { name: 'Philippa Threadneedle', email: 'philippa@multi.example' };
    await store.appendToStreams([
      {
        streamName: `${tenant}:customer:${customerId}`,
        events: [{ id: randomUUID(), type: 'CustomerRegistered', data: { customerId, pii }, metadata: meta }],
      },
      {
        streamName: `${tenant}:thing:${randomUUID()}`,
        events: [{ id: randomUUID(), type: 'ThingHappened', data: { n: 1 }, metadata: meta }],
      },
    ]);
    const log = (await db.pool.query<{ d: string }>('select data::text as d from es_events')).rows.map((r) => r.d);
    expect(log).to.have.length(2);
    expect(log.join('\n')).to.not.include('Philippa');
    const [read] = await store.readStream(`${tenant}:customer:${customerId}`);
    expect((read!.data as { pii: unknown }).pii).to.deep.equal(pii);
  });
});
