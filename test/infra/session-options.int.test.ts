// The session settings every pooled connection of ours starts with (src/db/session-options.ts).
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('Session settings of our connections (pg pool and knex)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  const SETTINGS = `select current_setting('jit') as jit,
                           current_setting('statement_timeout') as statement_timeout,
                           current_setting('idle_in_transaction_session_timeout') as idle_in_transaction`;
  // Estimated far above jit_above_cost: with JIT on, Postgres would compile it.
  const COSTLY = 'explain select count(*) from generate_series(1, 5000) a, generate_series(1, 5000) b where a + b > 3';
  const expected = { jit: 'off', statement_timeout: '30s', idle_in_transaction: '10s' };

  it('the pg pool: no JIT compilation, bounded statements and idle transactions', async () => {
    expect((await db.pool.query(SETTINGS)).rows[0]).to.deep.equal(expected);
    const plan = (await db.pool.query<{ 'QUERY PLAN': string }>(COSTLY)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).to.not.match(/JIT/);
  });

  it('knex: the same', async () => {
    expect((await db.knex.raw(SETTINGS)).rows[0]).to.deep.equal(expected);
    const plan = ((await db.knex.raw(COSTLY)).rows as { 'QUERY PLAN': string }[])
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).to.not.match(/JIT/);
  });
});
