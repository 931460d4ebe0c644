// A failed query must not carry its bindings into an error message or a log line: they hold
// customer rows (projection upserts) and secrets (a webhook endpoint's whsec_… on insert).
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { capturedLogger } from '../support/log-capture.ts';

describe('Database errors carry no bindings', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  const secret = 'whsec_do-not-log-4f1c2a9e';
  const email = 'ada.lovelace@example.com';

  it('a failing knex query names no binding in its message', async () => {
    // The jsonb `?` operator, written `\\?` for knex: when knex compiles the bindings into the
    // message it substitutes the first binding at that operator.
    const err = await db.knex
      .raw("select ?::jsonb \\? 'k' from no_such_table where label = ?", [JSON.stringify({ secret }), email])
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err, 'the query must fail').to.be.instanceOf(Error);
    expect(err!.message).to.include('no_such_table');
    expect(err!.message).to.not.include(secret);
    expect(err!.message).to.not.include(email);
  });

  it('a refused knex insert logs no row values (Postgres echoes the row in `detail`)', async () => {
    const { logger, lines } = capturedLogger();
    const err = await db
      .knex('api_keys')
      .insert({ id: 'k1', tenant: null, scopes: ['x'], secret_hash: Buffer.from('x'), label: `${secret} ${email}` })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err, 'the insert must fail').to.be.instanceOf(Error);
    logger.error({ err }, 'query failed');
    const line = JSON.stringify(lines);
    expect(line).to.include('query failed').and.include('not-null');
    expect(line).to.not.include(secret);
    expect(line).to.not.include(email);
  });

  it('a failing raw pg query logs no row values either', async () => {
    const { logger, lines } = capturedLogger();
    const err = await db.pool
      .query('insert into api_keys (id, tenant, scopes, secret_hash, label) values ($1, null, $2, $3, $4)', [
        'k2',
        ['x'],
        Buffer.from('x'),
        secret,
      ])
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err).to.be.instanceOf(Error);
    logger.error({ err }, 'query failed');
    expect(JSON.stringify(lines)).to.not.include(secret);
  });
});
