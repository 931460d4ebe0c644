import { expect } from 'chai';
import { jobIdFor } from '../../src/jobs/handler.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { quiescent } from '../support/quiescence.ts';

// The dispatcher asks handlers which events they need a job for: a tenant without webhook
// endpoints costs no webhook fan-out job per event; a tenant with one does.
describe('Job dispatch: no webhook fan-out job for tenants without endpoints', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1' } });
  });
  after(async () => app?.stop());

  const customerEventId = async (tenant: string, customerId: string) =>
    (
      await app.db.pool.query('select event_id from es_events where stream_name = $1', [
        `${tenant}:customer:${customerId}`,
      ])
    ).rows[0].event_id as string;
  const fanOutJob = (eventId: string) => app.runtime.services.queue.getJob(jobIdFor('webhooks-fanout', eventId));

  it('enqueues the fan-out for the tenant with an endpoint only', async () => {
    const quiet = client(app.baseUrl, (await app.key(['*'], 'quiet')).key);
    const hooked = client(app.baseUrl, (await app.key(['*'], 'hooked')).key);
    expect(
      (await hooked.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook', events: ['customer.created'] }))
        .status,
    ).to.equal(201);
    const a = (await quiet.post('/v1/customers', { email: 'q@fanout.example', name: 'Quiet' })).body.id as string;
    const b = (await hooked.post('/v1/customers', { email: 'h@fanout.example', name: 'Hooked' })).body.id as string;
    await quiescent(app, 60_000, { jobs: false });
    expect(await fanOutJob(await customerEventId('quiet', a))).to.equal(undefined);
    expect(await fanOutJob(await customerEventId('hooked', b))).to.not.equal(undefined);
  });
});
