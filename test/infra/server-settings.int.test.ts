import { expect } from 'chai';
import { readServerSettings } from '../../src/db/server-settings.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('Reading the Postgres server settings', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  it('reads autovacuum and track_counts as the server has them', async () => {
    const expected = (
      await db.pool.query<{ a: string; t: string }>(
        `select setting as a, (select setting from pg_settings where name = 'track_counts') as t
           from pg_settings where name = 'autovacuum'`,
      )
    ).rows[0]!;
    expect(await readServerSettings(db.pool)).to.deep.equal({ autovacuum: expected.a, trackCounts: expected.t });
  });
});
