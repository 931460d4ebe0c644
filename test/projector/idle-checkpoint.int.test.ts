// A page with nothing for a projection moves its checkpoint in one statement (advanceIdleCheckpoint):
// still exactly once, still refused when the checkpoint moved, and marked and committed as a
// read-model transaction is.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/observability/logger.ts';
import {
  advanceIdleCheckpoint,
  CheckpointConflictError,
  ensureCheckpoint,
  readCheckpoint,
} from '../../src/projector/checkpoints.ts';
import type { Projection } from '../../src/projector/projection.ts';
import { READ_MODEL_APPLICATION_NAME } from '../../src/projector/read-model-transaction.ts';
import { ProjectionRunner } from '../../src/projector/runner.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { appendOfType } from '../support/given-events.ts';
import { knexStatementsDuring } from '../support/query-count.ts';

describe('Projector: a page with nothing for the projection moves only its checkpoint', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  const tenant = `t${randomUUID().slice(0, 8)}`;
  const applied: string[] = [];
  const projection: Projection = {
    name: 'idle-test',
    handles: ['Wanted'],
    tables: [],
    async apply(_trx, events) {
      applied.push(...events.map((e) => e.type));
    },
  };
  const append = (type: string, n: number) => appendOfType(store, tenant, type, n);

  before(async () => {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
    // What each write of the checkpoint committed under, as the writing transaction saw it.
    await db.pool.query(`
      create table checkpoint_writes (application_name text, synchronous_commit text);
      create function note_checkpoint_write() returns trigger language plpgsql as $$
      begin
        insert into checkpoint_writes
          values (current_setting('application_name'), current_setting('synchronous_commit'));
        return new;
      end $$;
      create trigger note_checkpoint_write after update on projection_checkpoints
        for each row execute function note_checkpoint_write();`);
    await ensureCheckpoint(db.knex, projection.name);
  });
  after(async () => {
    await store?.announcer.settled();
    await db?.drop();
  });

  it('moves the checkpoint past the page in one statement, counting its events, applying nothing', async () => {
    const runner = new ProjectionRunner({
      databaseUrl: db.url,
      knex: db.knex,
      store,
      projection,
      logger: createLogger('silent'),
    });
    await append('Other', 1);
    expect(await runner.processBatch()).to.equal(1); // the runner has read its checkpoint now
    await append('Other', 3);
    const last = await append('Other', 2);
    const { result, statements } = await knexStatementsDuring(db.knex, () => runner.processBatch());
    expect(result).to.equal(5);
    expect(statements, 'statements of an idle page').to.have.length(1);

    const cp = await readCheckpoint(db.knex, projection.name);
    expect(cp?.position).to.deep.equal(last.position);
    expect(cp?.eventsProcessed).to.equal(6);
    expect(applied).to.deep.equal([]);
    const writes = async () => (await db.pool.query('select * from checkpoint_writes')).rows;
    expect(await writes()).to.deep.equal(
      Array(2).fill({ application_name: READ_MODEL_APPLICATION_NAME, synchronous_commit: 'off' }),
    );

    // A page with an event for it goes through the projection's transaction as before.
    await append('Wanted', 1);
    expect(await runner.processBatch()).to.equal(1);
    expect(applied).to.deep.equal(['Wanted']);
    expect((await readCheckpoint(db.knex, projection.name))?.eventsProcessed).to.equal(7);
    expect(await writes()).to.have.length(3);
  });

  it('refuses to move a checkpoint that is not where the writer saw it, and changes nothing', async () => {
    const before = await readCheckpoint(db.knex, projection.name);
    const stale = { commit: 1n, prepare: 1n };
    const to = { commit: before!.position!.commit + 100n, prepare: 1n };
    let error: unknown;
    await advanceIdleCheckpoint(db.knex, projection.name, stale, to, 1).catch((e) => {
      error = e;
    });
    expect(error).to.be.instanceOf(CheckpointConflictError);
    expect(await readCheckpoint(db.knex, projection.name)).to.deep.equal(before);
  });
});
