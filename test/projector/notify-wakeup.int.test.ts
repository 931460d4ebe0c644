// On the Postgres store a caught-up projector (and the job dispatcher) is woken by NOTIFY when events
// are appended, instead of polling. Every poll interval is set to 60 s here, so only a notification
// can make a projection prompt; the waits allow 20 s, well below it.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { LISTENER_APPLICATION_NAME } from '../../src/eventstore/postgres/append-listener.ts';
import { comparePositions, parsePosition, type Position } from '../../src/eventstore/port.ts';
import { readCheckpoint } from '../../src/projector/checkpoints.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { waitFor } from '../support/wait.ts';

const POLL_MS = 60_000;
const PROMPT_MS = 20_000;

describe('Projector woken by NOTIFY on the Postgres store', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp({
      roles: ['api', 'projector'],
      env: { OMS_PROJECTOR_POLL_MS: String(POLL_MS) },
      projectorIdleMs: POLL_MS,
    });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  /** Registers a customer; resolves with the position of its event. */
  async function register(n: number): Promise<Position> {
    const res = await api.post('/v1/customers', {
      email: `notify-${n}-${randomBytes(4).toString('hex')}@example.com`,
      name: 'N',
    });
    expect(res.status, res.text).to.equal(201);
    return parsePosition(res.headers.get('oms-position')!)!;
  }

  /** Every projection, the job dispatcher included, has applied the log up to `position`. */
  async function everyProjectionReaches(position: Position): Promise<void> {
    await waitFor(
      async () => {
        const behind: string[] = [];
        for (const p of app.runtime.allProjections()) {
          const cp = await readCheckpoint(app.runtime.services.knex, p.name);
          if (!cp?.position || comparePositions(cp.position, position) < 0) behind.push(p.name);
        }
        return behind;
      },
      (behind) => behind.length === 0,
      { timeoutMs: PROMPT_MS, intervalMs: 50, what: 'every projection to apply the new event' },
    );
  }

  const listenerBackends = async () =>
    (
      await app.db.pool.query<{ pid: number; query: string }>(
        'select pid, query from pg_stat_activity where datname = current_database() and application_name = $1',
        [LISTENER_APPLICATION_NAME],
      )
    ).rows;

  it('applies an appended event promptly, with every poll interval at 60 s', async () => {
    await everyProjectionReaches(await register(1)); // the start-up catch-up
    const started = Date.now();
    await everyProjectionReaches(await register(2));
    expect(Date.now() - started).to.be.below(PROMPT_MS);
  });

  it('applies an append announced while an older transaction hid it, once that transaction ends', async () => {
    // A transaction that took its id first: readers see no later commit until it ends.
    const older = await app.db.pool.connect();
    try {
      await older.query('begin');
      await older.query('select pg_current_xact_id()');
      const notified = app.runtime.appendListener!.notifications;
      const position = await register(4);
      await waitFor(
        async () => app.runtime.appendListener!.notifications,
        (n) => n > notified,
        { what: 'the notification of the append' },
      );
      // Woken now, the runners find nothing visible yet; the older transaction then ends without
      // appending (so without a notification of its own).
      await new Promise((r) => setTimeout(r, 300));
      await older.query('commit');
      await everyProjectionReaches(position);
    } finally {
      older.release();
    }
  });

  it('listens again after its connection is killed, and is woken as before', async () => {
    const [before] = await listenerBackends();
    expect(before, 'one LISTEN connection').to.not.equal(undefined);
    const notified = app.runtime.appendListener!.notifications;
    await app.db.pool.query('select pg_terminate_backend($1)', [before!.pid]);
    await waitFor(
      listenerBackends,
      (rows) => rows.length === 1 && rows[0]!.pid !== before!.pid && /^LISTEN /i.test(rows[0]!.query),
      { timeoutMs: PROMPT_MS, what: 'a new LISTEN connection' },
    );
    await everyProjectionReaches(await register(3));
    // Woken by a notification on the new connection, not by a poll.
    expect(app.runtime.appendListener!.notifications).to.be.above(notified);
  });
});
