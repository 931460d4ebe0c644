import { expect } from 'chai';
import pg from 'pg';
import { createPool } from '../../src/db/pool.ts';
import { toProblem } from '../../src/http/internal/middleware/problem.ts';
import { BASE_DATABASE_URL } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected the query to fail');
    },
    (err: unknown) => err,
  );
}

// Real pg errors (not hand-made ones) must map to 503 dependency_unavailable, not 500.
describe('Postgres failures map to 503 (int)', function () {
  this.timeout(20_000);

  it('a refused connection → 503 dependency_unavailable with Retry-After', async () => {
    const pool = createPool('postgres://postgres@127.0.0.1:1/postgres', { max: 1 });
    try {
      const problem = toProblem(await failureOf(pool.query('select 1')));
      expect(problem.status).to.equal(503);
      expect(problem.code).to.equal('dependency_unavailable');
      expect(problem.extras.headers?.['Retry-After']).to.equal('2');
    } finally {
      await pool.end();
    }
  });

  it('a connection terminated by the server (as in a Postgres restart) → 503, and the pool recovers', async () => {
    const pool = createPool(BASE_DATABASE_URL, { max: 1 });
    const admin = new pg.Client({ connectionString: BASE_DATABASE_URL });
    await admin.connect();
    try {
      const client = await pool.connect();
      // A checked-out client has no pool listener; the server's termination notice arrives as an 'error' event.
      client.on('error', () => {});
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      const pid = rows[0]!.pid;
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await waitFor(
        async () => (await admin.query('select 1 from pg_stat_activity where pid = $1', [pid])).rowCount,
        (n) => n === 0,
        { what: 'the terminated backend to exit' },
      );
      const err = await failureOf(client.query('select 1'));
      client.release(err as Error);
      expect(toProblem(err).status).to.equal(503);
      // The broken client was discarded; the next query gets a fresh connection.
      expect((await pool.query('select 1 as one')).rows[0].one).to.equal(1);
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
