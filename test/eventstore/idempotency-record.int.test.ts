// AppendOptions.idempotencyRecord on Postgres: the key's record and the events are one transaction.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { IdempotencyKeyTakenError, WrongExpectedVersionError } from '../../src/eventstore/port.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('Postgres append with an Idempotency-Key record', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  before(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  const events = () => [
    {
      id: randomUUID(),
      type: 'T',
      data: {},
      metadata: { tenant: 'tn', actor: 't', correlationId: 'c', causationId: null },
    },
  ];
  const record = (key: string, since = Date.now()) => ({
    tenant: 'tn',
    key,
    fingerprint: 'f',
    since,
    leaseSeconds: 60,
  });
  const row = async (key: string) =>
    (
      await db.pool.query(
        `select state, (extract(epoch from created_at) * 1000)::bigint::text as since, locked_until > now() as live,
                xmin::text as xmin from idempotency_keys where tenant = 'tn' and key = $1`,
        [key],
      )
    ).rows[0];

  it('writes the record, running with a live lease and the first-use time, in the append transaction', async () => {
    const since = Date.now() - 1234;
    await store.appendToStream('tn:r:a', events(), {
      expectedRevision: 'no_stream',
      idempotencyRecord: record('k1', since),
    });
    const r = await row('k1');
    expect(r).to.include({ state: 'running', since: String(since), live: true });
    const tx = await db.pool.query("select transaction_id::text as tx from es_events where stream_name = 'tn:r:a'");
    expect(r.xmin, 'one transaction wrote both').to.equal(tx.rows[0].tx);
  });

  it('a key already recorded: IdempotencyKeyTakenError and no event written', async () => {
    await store.appendToStream('tn:r:b', events(), { idempotencyRecord: record('k2') });
    const err = await store.appendToStream('tn:r:c', events(), { idempotencyRecord: record('k2') }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(IdempotencyKeyTakenError);
    expect(await store.readStream('tn:r:c')).to.have.length(0);
  });

  it('a refused append leaves no record', async () => {
    await store.appendToStream('tn:r:d', events());
    const err = await store
      .appendToStream('tn:r:d', events(), { expectedRevision: 'no_stream', idempotencyRecord: record('k3') })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(WrongExpectedVersionError);
    expect(await row('k3')).to.equal(undefined);
  });
});
