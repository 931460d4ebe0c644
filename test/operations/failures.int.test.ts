import { expect } from 'chai';
import type { JobHandler } from '../../src/jobs/handler.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { waitFor } from '../support/wait.ts';

// A tenant's operators see their own parked events and failed jobs, and retry their own failed jobs;
// another tenant's answer as if they did not exist.

describe('GET /v1/operations/parked-events, /failed-jobs and retry (int)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let failing = true;
  const flaky: JobHandler = {
    name: 'test-ops-flaky',
    handles: ['CustomerRegistered'],
    attempts: 1,
    async handle() {
      if (failing) throw new Error('receiver down');
    },
  };

  before(async () => {
    app = await startTestApp({ extraJobHandlers: [flaky] });
  });
  after(async () => app?.stop());

  it("lists the tenant's failed jobs, retries one, and keeps other tenants out", async () => {
    const a = await app.key(['operations:manage', 'customers:write']);
    const b = await app.key(['operations:manage']);
    const apiA = client(app.baseUrl, a.key);
    const apiB = client(app.baseUrl, b.key);
    const customer = await apiA.post('/v1/customers', { email: 'ops@example.com', name: 'Ops' });
    expect(customer.status, customer.text).to.equal(201);

    const failed = await waitFor(
      () => apiA.get('/v1/operations/failed-jobs'),
      (r) => r.body.data?.some((j: { handler: string }) => j.handler === 'test-ops-flaky'),
      { what: 'the failed job listed' },
    );
    const job = failed.body.data.find((j: { handler: string }) => j.handler === 'test-ops-flaky');
    expect(job).to.include({ eventType: 'CustomerRegistered', attempts: 1, failedReason: 'receiver down' });
    expect((await apiB.get('/v1/operations/failed-jobs')).body.data).to.deep.equal([]);
    expectProblem(await apiB.post(`/v1/operations/failed-jobs/${job.id}/retry`), 404, 'job_not_found');
    expectProblem(
      await client(app.baseUrl, (await app.key(['customers:read'], a.tenant)).key).get('/v1/operations/failed-jobs'),
      403,
      'insufficient_scope',
    );

    failing = false;
    const retried = await apiA.post(`/v1/operations/failed-jobs/${job.id}/retry`);
    expect(retried.status, retried.text).to.equal(202);
    expect(retried.body).to.deep.equal({ id: job.id, status: 'waiting' });
    await waitFor(
      () => app.runtime.services.queue.getJob(job.id).then((j) => j?.getState()),
      (s) => s === 'completed',
      { what: 'the retried job completed' },
    );
    expect((await apiA.get('/v1/operations/failed-jobs')).body.data).to.deep.equal([]);
    expectProblem(await apiA.post(`/v1/operations/failed-jobs/${job.id}/retry`), 409, 'job_not_failed');
  });

  it("lists the tenant's parked events only", async () => {
    const a = await app.key(['operations:manage']);
    const b = await app.key(['operations:manage']);
    await app.runtime.services.pool.query(
      `insert into parked_events (projection, event_id, position_commit, position_prepare, stream_name, revision, tenant,
                                  event_type, error, attempts, first_failed_at, last_failed_at)
       values ('orders', 'e1', 10, 1, $1, 2, $2, 'OrderUpdated', 'boom', 5, now(), now())`,
      [`${a.tenant}:order:ord_01jdx9a4b5c6d7e8f9g0h1j2k3`, a.tenant],
    );
    const parked = await client(app.baseUrl, a.key).get('/v1/operations/parked-events');
    expect(parked.status, parked.text).to.equal(200);
    expect(parked.body.data).to.have.length(1);
    expect(parked.body.data[0]).to.include({
      projection: 'orders',
      eventId: 'e1',
      eventType: 'OrderUpdated',
      stream: 'order:ord_01jdx9a4b5c6d7e8f9g0h1j2k3',
      revision: 2,
      error: 'boom',
      attempts: 5,
    });
    expect((await client(app.baseUrl, b.key).get('/v1/operations/parked-events')).body.data).to.deep.equal([]);
  });
});
