import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { newCustomer } from '../support/oms.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

describe('Webhooks: a deleted endpoint keeps its delivery log and gets nothing more', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp({
      env: {
        OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1',
        // Long enough between attempts to delete the endpoint while a retry is pending.
        OMS_WEBHOOK_BACKOFF_MS: '1500',
        OMS_WEBHOOK_ATTEMPTS: '20',
      },
    });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  const attemptsOf = async (deliveryEndpoint: string) =>
    (await app.runtime.services
      .knex('webhook_attempts')
      .join('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
      .where('webhook_deliveries.endpoint_id', deliveryEndpoint)
      .count({ n: '*' })
      .first()) as { n: string };

  it('DELETE keeps GET …/deliveries readable (tenant-scoped), ends the pending retry, hides the endpoint unless includeDeleted=true, and fans out nothing more to it', async () => {
    const rx = await startReceiver(() => 503);
    const live = await startReceiver(() => 200);
    try {
      const ep = (await api.post('/v1/webhook-endpoints', { url: rx.url, events: ['customer.created'] })).body as {
        id: string;
      };
      await newCustomer(api);
      // The first attempt is recorded (503); the retry waits for its backoff.
      await waitFor(
        () => attemptsOf(ep.id),
        (r) => Number(r.n) === 1,
        { what: 'first attempt recorded' },
      );
      const sent = rx.received.length;
      expect((await api.delete(`/v1/webhook-endpoints/${ep.id}`)).status).to.equal(204);

      // The log is still there, and the pending delivery ended as failed at once.
      const log = await api.get(`/v1/webhook-endpoints/${ep.id}/deliveries`);
      expect(log.status, log.text).to.equal(200);
      expect(log.body.data).to.have.length(1);
      const d = log.body.data[0];
      expect(d.status).to.equal('failed');
      expect(d.attempts[0].statusCode).to.equal(503);

      // The retry that was pending runs and stops without sending anything.
      await waitFor(
        async () => (await app.runtime.services.queue.getJob(d.id))?.getState(),
        (s) => s === 'completed',
        { what: 'the pending retry to end' },
      );
      expect(rx.received.length).to.equal(sent);
      const after = (await api.get(`/v1/webhook-endpoints/${ep.id}/deliveries`)).body.data[0];
      expect(after.status).to.equal('failed');

      // A redelivery to a deleted endpoint is refused; the log is unchanged.
      expectProblem(
        await api.post(`/v1/webhook-endpoints/${ep.id}/deliveries/${d.id}/redeliver`),
        409,
        'webhook_endpoint_deleted',
      );

      // Hidden from the list and from GET by id; listed with includeDeleted=true, with deletedAt.
      expect((await api.get('/v1/webhook-endpoints')).body.data.map((e: { id: string }) => e.id)).to.not.include(ep.id);
      const all = await api.get('/v1/webhook-endpoints?includeDeleted=true');
      expect(all.status, all.text).to.equal(200);
      const listed = all.body.data.find((e: { id: string }) => e.id === ep.id);
      expect(listed, 'listed with includeDeleted').to.not.equal(undefined);
      expect(Date.parse(listed.deletedAt)).to.be.a('number').and.not.NaN;
      expect((await api.get(`/v1/webhook-endpoints/${ep.id}`)).status).to.equal(404);

      // Another tenant: 404, as for any endpoint not its own.
      const other = client(app.baseUrl, (await app.key(['*'])).key);
      const foreign = await other.get(`/v1/webhook-endpoints/${ep.id}/deliveries`);
      expect(foreign.status).to.equal(404);
      expect(foreign.body.code).to.match(/not_found$/);
      const foreignList = await other.get('/v1/webhook-endpoints?includeDeleted=true');
      expect(foreignList.body.data.map((e: { id: string }) => e.id)).to.not.include(ep.id);

      // New events fan out to the live endpoint only.
      const second = (await api.post('/v1/webhook-endpoints', { url: live.url, events: ['customer.created'] }))
        .body as { id: string };
      await newCustomer(api);
      await waitFor(
        async () => live.received.length,
        (n) => n === 1,
        { what: 'the live endpoint to get the event' },
      );
      expect((await api.get(`/v1/webhook-endpoints/${second.id}/deliveries`)).body.data).to.have.length(1);
      expect((await api.get(`/v1/webhook-endpoints/${ep.id}/deliveries`)).body.data).to.have.length(1);
      expect(rx.received.length).to.equal(sent);
    } finally {
      await rx.close();
      await live.close();
    }
  });
});
