import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PostgresEventStore, READ_STREAMS_SQL } from '../../src/eventstore/postgres/postgres-event-store.ts';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import { enterReadModelTransaction, READ_MODEL_APPLICATION_NAME } from '../../src/projector/read-model-transaction.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';
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

describe('Postgres event store: the log horizon does not wait for read-model transactions', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    await db.pool.query('create table horizon_scratch (n int)');
  });
  after(async () => db.drop());

  const ev = (tenant: string, n: string) => ({
    id: randomUUID(),
    type: 'T',
    data: { n },
    metadata: { tenant, actor: 't', correlationId: 'c', causationId: null },
  });

  /** A transaction that has written (so it has a transaction id) and stays open. */
  async function openWriter(readModel: boolean) {
    const c = await db.pool.connect();
    await c.query('begin');
    if (readModel) await c.query(`select set_config('application_name', $1, true)`, [READ_MODEL_APPLICATION_NAME]);
    await c.query('insert into horizon_scratch values (1)');
    return c;
  }

  it('a transaction entered as a read model is marked, commits without waiting for a flush, and finds its schema first; all of it ends with the transaction', async () => {
    const settings = (q: { raw(sql: string): Promise<{ rows: Record<string, string>[] }> }) =>
      q
        .raw(`select current_setting('application_name') as app, current_setting('synchronous_commit') as sync,
                     current_setting('search_path') as path`)
        .then((r) => r.rows[0]!);
    await db.knex.raw('create schema if not exists rm_shadow');
    const inside = await db.knex.transaction(async (trx) => {
      await enterReadModelTransaction(trx, 'rm_shadow');
      return settings(trx);
    });
    expect(inside).to.deep.equal({ app: READ_MODEL_APPLICATION_NAME, sync: 'off', path: 'rm_shadow, public' });
    const publicOne = await db.knex.transaction(async (trx) => {
      await enterReadModelTransaction(trx);
      return settings(trx);
    });
    expect(publicOne.app).to.equal(READ_MODEL_APPLICATION_NAME);
    expect(publicOne.sync).to.equal('off');
    const after = await settings(db.knex);
    expect(after.app).to.not.equal(READ_MODEL_APPLICATION_NAME);
    expect(after.sync).to.equal('on');
    expect(after.path).to.not.contain('rm_shadow');
  });

  it('given a read model transaction open, when events are appended after it began, then readers see them at once', async () => {
    const store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    const readModel = await openWriter(true);
    try {
      await store.appendToStream('rm:x:1', [ev('rm', 'after the read model began')]);
      // Other databases' transactions on this server hold the horizon too, briefly: wait them out.
      await waitFor(
        () => store.readAll({ maxCount: 10, tenant: 'rm' }),
        (events) => events.length === 1,
        { timeoutMs: 20_000, what: 'the event appended while the read model transaction is open' },
      );
    } finally {
      await readModel.query('rollback');
      readModel.release();
    }
  });

  it('given any other writing transaction open, then later commits stay hidden until it ends', async () => {
    const store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    const other = await openWriter(false);
    try {
      await store.appendToStream('other:x:1', [ev('other', 'hidden')]);
      expect(await store.readAll({ maxCount: 10, tenant: 'other' })).to.have.length(0);
    } finally {
      await other.query('commit');
      other.release();
    }
    await waitFor(
      () => store.readAll({ maxCount: 10, tenant: 'other' }),
      (events) => events.length === 1,
      { what: 'the event, once the writer ended' },
    );
  });

  it('a read model transaction may not append: the event would be invisible to the horizon', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('begin');
      await c.query(`select set_config('application_name', $1, true)`, [READ_MODEL_APPLICATION_NAME]);
      let error: unknown = null;
      await c
        .query('select es_append($1, $2, null, $3::jsonb)', ['rm:x:2', 'any', JSON.stringify([ev('rm', 'refused')])])
        .catch((e) => (error = e));
      expect(String(error)).to.match(/read-model transaction may not append/);
    } finally {
      await c.query('rollback');
      c.release();
    }
  });
});

describe('Postgres event store: plans that stay index lookups on a long log', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    // Like a flash sale's log: 30,000 events of one hot SKU's stream beside 10,000 orders of 3 events.
    // No statistics yet (nothing analyzed it, as on a server without autovacuum): the planner expects
    // hundreds of events per stream.
    await db.pool.query(`insert into es_events (event_id, stream_name, stream_revision, tenant, event_type, data, metadata)
      select gen_random_uuid(), case when g < 30000 then 'plan:inventory:HOT' else 'plan:order:' || ((g - 30000) / 3) end,
             case when g < 30000 then g else (g - 30000) % 3 end, 'plan', 'T', jsonb_build_object('pad', repeat('x', 200)), '{}'
        from generate_series(0, 59999) g`);
  });
  after(async () => db.drop());

  it('reading several streams looks each one up by index, on the generic plan a named statement ends up with', async () => {
    const c = await db.pool.connect();
    try {
      await c.query('set plan_cache_mode = force_generic_plan');
      await c.query(`prepare read_streams(text[], bigint[]) as ${READ_STREAMS_SQL}`);
      const plan = (await c.query("explain execute read_streams('{plan:order:7,plan:order:8}', '{0,1}')")).rows
        .map((r: Record<string, string>) => Object.values(r)[0])
        .join('\n');
      expect(plan).to.not.match(/Seq Scan on es_events/);
      expect(plan).to.match(/Index.* Scan on es_events|Index Cond: \(\(stream_name = r\.name\)/);
    } finally {
      await c.query('deallocate all').catch(() => {});
      c.release();
    }
    const store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    const [seven, eight] = await store.readStreams([
      { streamName: 'plan:order:7' },
      { streamName: 'plan:order:8', fromRevision: 1 },
    ]);
    expect(seven!.map((e) => e.revision)).to.deep.equal([0, 1, 2]);
    expect(eight!.map((e) => e.revision)).to.deep.equal([1, 2]);
  });
});

describe('Postgres event store: appends on a connection older than the log', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  const events = (n: number) =>
    JSON.stringify(
      Array.from({ length: n }, () => ({
        id: randomUUID(),
        type: 'T',
        data: {},
        metadata: { tenant: 'old', actor: 't', correlationId: 'c', causationId: null },
      })),
    );

  it('given a connection that appended while the log was empty, when the log has grown, then its appends still look event ids up by index', async () => {
    const c = await db.pool.connect();
    try {
      // Enough appends on this connection for PL/pgSQL to settle on cached plans, made on an empty log.
      for (let i = 0; i < 8; i++)
        await c.query('select * from es_append($1, $2, null, $3::jsonb)', [`old:x:${i}`, 'any', events(1)]);
      await db.pool.query(`insert into es_events (event_id, stream_name, stream_revision, tenant, event_type, data, metadata)
        select gen_random_uuid(), 'old:bulk:' || g, 0, 'old', 'T', '{}', '{}' from generate_series(1, 50000) g`);
      await c.query('begin');
      await c.query('select * from es_append($1, $2, null, $3::jsonb)', ['old:x:late', 'any', events(2)]);
      const { rows } = await c.query<{ seq_scan: string }>(
        `select seq_scan::text from pg_stat_xact_user_tables where relname = 'es_events'`,
      );
      await c.query('commit');
      expect(Number(rows[0]?.seq_scan ?? 0), 'sequential scans of es_events by this append').to.equal(0);
    } finally {
      c.release();
    }
  });
});

describe('Postgres event store: lean reads of the log (a rebuild’s replay)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  it('returns the same events without id, timestamp or metadata beyond the tenant and schema version', async () => {
    const store = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    const tenant = 'lean';
    const metadata = { tenant, actor: 't', correlationId: 'c', causationId: null };
    await store.appendToStream(`${tenant}:x:1`, [
      { id: randomUUID(), type: 'A', data: { n: 1 }, metadata },
      { id: randomUUID(), type: 'B', data: { n: 2 }, metadata: { ...metadata, schemaVersion: 2 } },
    ]);
    const whole = await store.readAll({ maxCount: 10, tenant });
    const lean = await store.readAll({ maxCount: 10, tenant, lean: true });
    expect(
      lean.map(({ type, streamName, revision, position, data }) => ({ type, streamName, revision, position, data })),
    ).to.deep.equal(
      whole.map(({ type, streamName, revision, position, data }) => ({ type, streamName, revision, position, data })),
    );
    expect(lean.map((e) => e.metadata)).to.deep.equal([{ tenant }, { tenant, schemaVersion: 2 }]);
    expect(lean.map((e) => e.id)).to.deep.equal(['', '']);
    expect(whole[0]!.metadata).to.deep.equal(metadata);
  });
});
