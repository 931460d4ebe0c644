// A page with events for a projection is one read-model transaction: begin, one statement that marks
// it, looks for stale streams and moves the checkpoint, the projection's writes, commit. The move
// still commits or rolls back with the writes, and is refused when the checkpoint moved.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { CheckpointConflictError, ensureCheckpoint, readCheckpoint } from '../../src/projector/checkpoints.ts';
import type { Projection } from '../../src/projector/projection.ts';
import { READ_MODEL_APPLICATION_NAME } from '../../src/projector/read-model-transaction.ts';
import { ProjectionRunner } from '../../src/projector/runner.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { appendOfType } from '../support/given-events.ts';
import { knexStatementsDuring } from '../support/query-count.ts';

describe('Projector: the transaction of a page with events for the projection', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  const tenant = `t${randomUUID().slice(0, 8)}`;
  const projection: Projection = {
    name: 'page-test',
    handles: ['Wanted'],
    tables: ['page_rows'],
    async apply(trx, events) {
      await trx('page_rows').insert(events.map((e) => ({ event_id: e.id })));
    },
  };
  const append = (type: string, n: number) => appendOfType(store, tenant, type, n);
  const runner = () =>
    new ProjectionRunner({ databaseUrl: db.url, knex: db.knex, store, projection, logger: createLogger('silent') });
  const rows = async () => Number((await db.pool.query('select count(*) as n from page_rows')).rows[0].n);

  before(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
    // What each write committed under, as the writing transaction saw it.
    await db.pool.query(`
      create table page_rows (event_id uuid primary key);
      create table writes (tbl text, application_name text, synchronous_commit text);
      create function note_write() returns trigger language plpgsql as $$
      begin
        insert into writes values (tg_table_name, current_setting('application_name'), current_setting('synchronous_commit'));
        return new;
      end $$;
      create trigger note_write after update on projection_checkpoints for each row execute function note_write();
      create trigger note_write after insert on page_rows for each row execute function note_write();`);
    await ensureCheckpoint(db.knex, projection.name);
  });
  after(async () => {
    await store?.announcer.settled();
    await db?.drop();
  });

  it('given a page of 3 events, 2 for the projection, when processed, then: begin, one statement, its writes, commit; all as a read-model transaction', async () => {
    const r = runner();
    await append('Other', 1);
    expect(await r.processBatch()).to.equal(1); // the runner has read its checkpoint now
    await db.pool.query('delete from writes');
    await append('Wanted', 2);
    const last = await append('Other', 1);
    const { result, statements } = await knexStatementsDuring(db.knex, () => r.processBatch());
    expect(result).to.equal(3);

    expect(statements.map((s) => s.trim().split(/\s+/)[0]!.toLowerCase())).to.deep.equal([
      'begin;',
      'with', // mark, stale probe, checkpoint
      'insert', // the projection's
      'commit;',
    ]);
    const cp = await readCheckpoint(db.knex, projection.name);
    expect(cp?.position).to.deep.equal(last.position);
    expect(await rows()).to.equal(2);
    const writes = (await db.pool.query('select * from writes order by tbl')).rows;
    expect(writes).to.deep.equal([
      { tbl: 'page_rows', application_name: READ_MODEL_APPLICATION_NAME, synchronous_commit: 'off' },
      { tbl: 'page_rows', application_name: READ_MODEL_APPLICATION_NAME, synchronous_commit: 'off' },
      { tbl: 'projection_checkpoints', application_name: READ_MODEL_APPLICATION_NAME, synchronous_commit: 'off' },
    ]);
  });

  /**
   * Another writer (an operator's reset, a second instance) moves the checkpoint while `r` knows it:
   * the next page fails and writes nothing. The checkpoint is put back afterwards.
   */
  async function checkpointMovedMeanwhile(r: ProjectionRunner, name: string, rowCount: () => Promise<number>) {
    await append('Wanted', 1);
    await r.processBatch(); // the runner knows where its checkpoint is now
    const before = await rowCount();
    const shift = (sign: string) =>
      db.pool.query(
        `update projection_checkpoints set position_prepare = position_prepare ${sign} 1000000 where name = $1`,
        [name],
      );
    await shift('+');
    const moved = await readCheckpoint(db.knex, name);
    await append('Wanted', 1);
    let error: unknown;
    await r.processBatch().catch((e) => {
      error = e;
    });
    expect(error).to.be.instanceOf(CheckpointConflictError);
    expect(await rowCount(), 'the page was rolled back').to.equal(before);
    expect(await readCheckpoint(db.knex, name)).to.deep.equal(moved);
    await shift('-');
  }

  it('given a checkpoint another writer moved, when a page is processed, then it fails and writes nothing', () =>
    checkpointMovedMeanwhile(runner(), projection.name, rows));

  describe('a projection that gives its page as one statement', () => {
    const applied: string[] = [];
    const oneStatement: Projection = {
      name: 'page-statement-test',
      handles: ['Wanted'],
      tables: ['statement_rows'],
      async apply(trx, events) {
        applied.push(...events.map((e) => e.id));
        await trx('statement_rows').insert(events.map((e) => ({ event_id: e.id })));
      },
      statement(events, gate) {
        return {
          ctes: `page_insert as (insert into statement_rows (event_id) select id from ${gate}, unnest(?::uuid[]) as id)`,
          bindings: [events.map((e) => e.id)],
        };
      },
    };
    const statementRunner = () =>
      new ProjectionRunner({
        databaseUrl: db.url,
        knex: db.knex,
        store,
        projection: oneStatement,
        logger: createLogger('silent'),
      });

    const rows = async () => Number((await db.pool.query('select count(*) as n from statement_rows')).rows[0].n);

    before(async () => {
      await db.pool.query(`
        create table statement_rows (event_id uuid primary key);
        create trigger note_write after insert on statement_rows for each row execute function note_write();`);
      await ensureCheckpoint(db.knex, oneStatement.name);
      const r = statementRunner();
      await append('Other', 1);
      while ((await r.processBatch()) > 0); // catch up with the log so far
    });

    it('given a page with events for it, when processed, then one statement writes its rows and moves the checkpoint, as a read-model transaction', async () => {
      const r = statementRunner();
      await r.processBatch(); // reads its checkpoint
      await db.pool.query('delete from writes');
      const before = await rows();
      await append('Wanted', 2);
      const last = await append('Other', 1);
      const { result, statements } = await knexStatementsDuring(db.knex, () => r.processBatch());
      expect(result).to.equal(3);

      expect(statements, 'statements of the page').to.have.length(1);
      expect(await rows()).to.equal(before + 2);
      expect(applied, 'apply() is not used').to.deep.equal([]);
      expect((await readCheckpoint(db.knex, oneStatement.name))?.position).to.deep.equal(last.position);
      const writes = (
        await db.pool.query('select distinct tbl, application_name, synchronous_commit from writes order by tbl')
      ).rows;
      expect(writes).to.deep.equal([
        { tbl: 'projection_checkpoints', application_name: READ_MODEL_APPLICATION_NAME, synchronous_commit: 'off' },
        { tbl: 'statement_rows', application_name: READ_MODEL_APPLICATION_NAME, synchronous_commit: 'off' },
      ]);
    });

    it('given a checkpoint another writer moved, when a page is processed, then it fails and writes nothing', () =>
      checkpointMovedMeanwhile(statementRunner(), oneStatement.name, rows));

    it('given an event of a stale stream, when processed, then the statement writes nothing and the event-by-event pass holds it back', async () => {
      const r = statementRunner();
      await r.processBatch();
      const stream = `${tenant}:x:${randomUUID()}`;
      await db.pool.query(
        "insert into stale_entities (projection, tenant, stream_name, parked_event_id) values ('page-statement-test', $1, $2, 'earlier')",
        [tenant, stream],
      );
      const before = await rows();
      await store.appendToStream(stream, [
        {
          id: randomUUID(),
          type: 'Wanted',
          data: {},
          metadata: { tenant, actor: 't', correlationId: 'c', causationId: null },
        },
      ]);
      await append('Wanted', 1);
      expect(await r.processBatch()).to.equal(2);
      // The other stream's event was applied by apply() in the isolated pass; the stale one was parked behind.
      expect(applied).to.have.length(1);
      expect(await rows()).to.equal(before + 1);
      const parked = await db.pool.query(
        "select count(*)::int as n from parked_events where projection = 'page-statement-test'",
      );
      expect(parked.rows[0].n).to.equal(1);
    });
  });
});
