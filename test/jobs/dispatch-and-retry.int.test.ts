import { expect } from 'chai';
import { DISPATCHER_NAME } from '../../src/jobs/dispatcher.ts';
import { jobIdFor, type JobHandler } from '../../src/jobs/handler.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { waitFor } from '../support/wait.ts';

describe('Job runtime: dispatch from the log, retry with backoff, idempotent, failures kept', function () {
  this.timeout(60_000);
  let app: TestApp;
  const attempts = new Map<string, number>();
  const effects: string[] = [];

  // A side effect that fails twice before it works.
  const flaky: JobHandler = {
    name: 'test-flaky',
    handles: ['CustomerRegistered'],
    attempts: 5,
    backoffMs: 20,
    async handle(event) {
      const n = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, n);
      if (n < 3) throw new Error(`transient failure ${n}`);
      effects.push(event.id);
    },
  };
  // A side effect that never works.
  const doomed: JobHandler = {
    name: 'test-doomed',
    handles: ['CustomerRegistered'],
    attempts: 3,
    backoffMs: 10,
    async handle() {
      throw new Error('the receiver is gone');
    },
  };

  before(async () => {
    app = await startTestApp({ extraJobHandlers: [flaky, doomed] });
  });
  after(async () => app?.stop());

  it('runs a job per event and handler, retries it until it succeeds, and keeps an exhausted one as failed', async () => {
    const api = client(app.baseUrl, (await app.key(['*'])).key);
    const created = await api.post('/v1/customers', { email: 'jobs@example.com', name: 'Job Runner' });
    expect(created.status).to.equal(201);
    const ev = await app.db.pool.query(`select event_id from es_events where event_type = 'CustomerRegistered'`);
    const eventId: string = ev.rows[0].event_id;

    await waitFor(
      async () => effects.length,
      (n) => n === 1,
      { what: 'the flaky job to succeed' },
    );
    expect(attempts.get(eventId)).to.equal(3);
    expect(effects).to.deep.equal([eventId]);

    // The side effect ran; the worker records the job as processed and completes it just after.
    await waitFor(
      () => app.runtime.services.queue.getJob(jobIdFor('test-flaky', eventId)),
      (j) => !!j && j.finishedOn !== undefined,
      { what: 'the flaky job (id derived from handler + event id) completed' },
    );
    const done = await app.db.pool.query('select 1 from processed_jobs where job_id = $1', [
      jobIdFor('test-flaky', eventId),
    ]);
    expect(done.rowCount).to.equal(1);

    const failedId = jobIdFor('test-doomed', eventId);
    const failed = await waitFor(
      async () => (await app.runtime.services.queue.getFailed()).find((j) => j.id === failedId),
      (j) => !!j && j.attemptsMade === 3,
      { what: 'the doomed job in the failed set after 3 attempts' },
    );
    expect(failed!.failedReason).to.equal('the receiver is gone');
  });

  it('a re-dispatch of the same events (crash before the checkpoint) does not repeat a side effect', async () => {
    const before = effects.length;
    const eventId = effects[0]!;
    // Simulate losing the job record too, so BullMQ's own id dedupe cannot help: only the
    // processed-jobs record stands between a redelivery and a second side effect.
    const job = await app.runtime.services.queue.getJob(jobIdFor('test-flaky', eventId));
    await job!.remove();
    await app.db.pool.query(
      `update projection_checkpoints set position_commit = 0, position_prepare = 0 where name = $1`,
      [DISPATCHER_NAME],
    );
    await waitFor(
      () => app.runtime.services.queue.getJob(jobIdFor('test-flaky', eventId)),
      (j) => !!j && j.finishedOn !== undefined,
      { what: 'the job re-enqueued and finished again' },
    );
    expect(effects.length).to.equal(before);
    expect(attempts.get(eventId)).to.equal(3);
  });
});
