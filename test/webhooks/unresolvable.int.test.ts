import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { newCustomer } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

// `.invalid` is reserved (RFC 2606): it never resolves.
const HOST = 'hooks.gone.invalid';

describe('Webhooks: a host that does not resolve is not a policy refusal', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;

  before(async () => {
    // OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS unset: the guard resolves every host.
    app = await startTestApp({ env: { OMS_WEBHOOK_BACKOFF_MS: '20', OMS_WEBHOOK_ATTEMPTS: '3' } });
    const key = await app.key(['*']);
    tenant = key.tenant;
    api = client(app.baseUrl, key.key);
  });
  after(async () => app?.stop());

  it('POST with a host that does not resolve → 422 webhook_url_unresolvable naming the host; nothing stored', async () => {
    const res = await api.post('/v1/webhook-endpoints', { url: `https://${HOST}/hooks`, events: ['*'] });
    expectProblem(res, 422, 'webhook_url_unresolvable');
    expect(res.body.detail).to.include(HOST);
    expect(res.body.host).to.equal(HOST);
    expect((await api.get('/v1/webhook-endpoints?includeDeleted=true')).body.data).to.have.length(0);
    // The policy refusal keeps its own code.
    expectProblem(
      await api.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/x', events: ['*'] }),
      422,
      'webhook_url_not_allowed',
    );
  });

  it('a delivery to a host that stopped resolving is a failed attempt with that reason, retried, then failed', async () => {
    // An endpoint whose host resolved when it was created, and no longer does.
    const id = 'whk_01jdx9a4b5c6d7e8f9g0h1j2k3';
    await app.runtime.services.knex('webhook_endpoints').insert({
      tenant,
      id,
      url: `https://${HOST}/hooks`,
      events: ['customer.created'],
      secret: 'whsec_test',
    });
    await newCustomer(api);
    const log = await waitFor(
      () => api.get(`/v1/webhook-endpoints/${id}/deliveries`),
      (r) => r.body.data?.[0]?.status === 'failed',
      { what: 'the delivery to end as failed' },
    );
    const attempts = log.body.data[0].attempts as { statusCode: number | null; error: string }[];
    expect(attempts, 'retried like any network error').to.have.length(3);
    for (const a of attempts) {
      expect(a.statusCode).to.equal(null);
      expect(a.error).to.equal(`the host ${HOST} does not resolve`);
    }
  });
});
