// `oms start` begun while Postgres is down (a restart, or both started together) waits for it
// instead of exiting. Likely what stalled the fault suite once (inferred, no log was kept): it
// respawns a process a moment before it stops Postgres, and one that had not migrated yet exited.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { createPrivatePostgres, type PrivatePostgres } from '../support/private-services.ts';
import { REDIS_URL } from '../support/database.ts';
import { spawnOms, type OmsProcess } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';

describe('oms start while Postgres is down', function () {
  this.timeout(180_000);
  let db: PrivatePostgres | null = null;
  let proc: OmsProcess | null = null;

  before(async function () {
    db = await createPrivatePostgres();
    if (!db) return this.skip(); // no local server binaries to own a private Postgres
  });

  after(async () => {
    proc?.child.kill('SIGKILL');
    await proc?.exited;
    db?.close();
  });

  it('waits, retrying, and migrates and runs once Postgres answers', async () => {
    db!.stop();
    proc = spawnOms(['start', '--role', 'projector'], {
      DATABASE_URL: db!.url('oms'),
      REDIS_URL,
      OMS_REDIS_PREFIX: `oms-test-start-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'info',
    });
    const p = proc;
    await waitFor(
      async () => /Postgres does not answer yet; retrying/.test(p.output()) || p.child.exitCode !== null,
      (v) => v,
      { what: 'the retry warning' },
    );
    expect(p.child.exitCode, p.output()).to.equal(null);

    db!.start();
    await waitFor(
      async () => {
        if (p.child.exitCode !== null) return -1;
        const sql = new pg.Client({ connectionString: db!.url('oms') });
        sql.on('error', () => {});
        try {
          await sql.connect();
          const r = await sql.query("select count(*)::int as n from projection_checkpoints where name = 'orders'");
          return r.rows[0].n as number;
        } catch {
          return 0; // the database or its tables are not there yet
        } finally {
          await sql.end().catch(() => {});
        }
      },
      (n) => n !== 0,
      { timeoutMs: 120_000, intervalMs: 250, what: 'the migrations of the waiting process' },
    );
    expect(p.child.exitCode, p.output()).to.equal(null);
  });
});
