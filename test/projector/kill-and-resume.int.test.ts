import { expect } from 'chai';
import { formatPosition } from '../../src/eventstore/port.ts';
import { readCheckpoint } from '../../src/projector/checkpoints.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { REDIS_URL } from '../support/database.ts';
import { client } from '../support/http.ts';
import { spawnOms, type OmsProcess } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';

describe('Projector: one instance per projection, kill -9 and take-over, resume after restart', function () {
  this.timeout(120_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  const procs: OmsProcess[] = [];

  before(async () => {
    app = await startTestApp({ roles: ['api'] }); // this process only writes; projectors are children
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await app?.stop();
  });

  const projector = () => {
    const p = spawnOms(['start', '--role', 'projector'], {
      DATABASE_URL: app.db.url,
      REDIS_URL,
      OMS_REDIS_PREFIX: app.redisPrefix,
      LOG_LEVEL: 'info',
    });
    procs.push(p);
    return p;
  };
  const customers = async () => Number((await app.db.pool.query('select count(*) as n from customers')).rows[0].n);
  const create = (n: number, tag: string) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        api.post('/v1/customers', { email: `${tag}${i}@example.com`, name: `${tag} ${i}` }),
      ),
    );
  const holdsLock = (p: OmsProcess) =>
    p.output().includes('"projection":"customers"') && /projection lock acquired/.test(p.output());

  it('applies every event exactly once across a kill -9 and a graceful restart', async () => {
    await create(20, 'a');
    const p1 = projector();
    await waitFor(customers, (n) => n === 20, { what: '20 customers projected by p1' });
    expect(holdsLock(p1)).to.equal(true);

    const p2 = projector(); // waits for the lock
    const writes = create(30, 'b');
    await waitFor(customers, (n) => n > 20, { what: 'p1 projecting the second batch' });
    p1.child.kill('SIGKILL');
    await p1.exited;
    await writes;
    await waitFor(customers, (n) => n === 50, { timeoutMs: 30_000, what: 'p2 taking over and catching up to 50' });
    // p1 may have projected the whole batch before it died: then the count is reached before p2's
    // next lock attempt, so wait for p2 to take the lock rather than expecting it already.
    await waitFor(
      async () => holdsLock(p2),
      (held) => held,
      { timeoutMs: 30_000, what: 'p2 taking the lock after p1 died' },
    );

    p2.child.kill('SIGTERM');
    expect(await p2.exited, 'graceful stop exits 0').to.equal(0);
    await create(10, 'c');
    const p3 = projector();
    await waitFor(customers, (n) => n === 60, { what: 'p3 resuming from the checkpoint' });

    // Checkpoint at the log head, and the number of events it moved past equals the log length:
    // a batch applied twice (or skipped) would break one or the other.
    const head = await app.runtime.services.store.headPosition();
    const total = Number((await app.db.pool.query('select count(*) as n from es_events')).rows[0].n);
    const cp = await waitFor(
      () => readCheckpoint(app.db.knex, 'customers'),
      (c) => !!c?.position && formatPosition(c.position) === formatPosition(head!),
      { what: 'customers checkpoint at head' },
    );
    expect(cp!.eventsProcessed).to.equal(total);
    const versions = await app.db.pool.query('select count(*)::int as n from customers where version <> 1');
    expect(versions.rows[0].n).to.equal(0);
    p3.child.kill('SIGTERM');
    await p3.exited;
  });
});
