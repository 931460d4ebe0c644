// DNS rebinding past the webhook SSRF guard: a TTL-0 name that answers a public address to the
// check and a loopback address to the connection must not reach the loopback receiver.
import { expect } from 'chai';
import { newId } from '../../src/ids.ts';
import { attemptDelivery } from '../../src/webhooks/deliveries.ts';
import { createEndpoint } from '../../src/webhooks/endpoints.ts';
import type { Resolve } from '../../src/webhooks/resolve.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { startReceiver } from '../support/receiver.ts';

const PUBLIC = '93.184.216.34';

/** Public on the first question, `internal` on every one after (what a rebinding name does). */
function rebindingResolver(internal: string): Resolve & { calls: number } {
  const resolve = Object.assign(
    async () => {
      resolve.calls++;
      const address = resolve.calls === 1 ? PUBLIC : internal;
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    },
    { calls: 0 },
  );
  return resolve;
}

describe('Webhooks SSRF: DNS rebinding between the check and the connection', function () {
  this.timeout(60_000);
  let app: TestApp;
  let tenant: string;
  let api: ReturnType<typeof client>;

  before(async () => {
    // No worker: the test runs each delivery attempt itself, with its own resolver.
    app = await startTestApp({ roles: ['api'] }); // OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS unset
    const key = await app.key(['*']);
    tenant = key.tenant;
    api = client(app.baseUrl, key.key);
  });
  after(async () => app?.stop());

  const knex = () => app.runtime.services.knex;

  async function pendingDelivery(url: string): Promise<{ endpointId: string; deliveryId: string }> {
    // Created while the name answers a public address: accepted, as it would be.
    const endpoint = await createEndpoint(
      knex(),
      tenant,
      { url, events: ['*'] },
      { allowPrivateNetworks: false },
      app.runtime.config.masterKey,
      async () => [{ address: PUBLIC, family: 4 }],
    );
    const deliveryId = newId('dlv');
    await knex()('webhook_deliveries').insert({
      id: deliveryId,
      tenant,
      endpoint_id: endpoint.id,
      event_id: '00000000-0000-4000-8000-000000000001',
      event_type: 'customer.created',
      payload: JSON.stringify({ id: deliveryId, type: 'customer.created', data: {} }),
    });
    return { endpointId: endpoint.id, deliveryId };
  }

  for (const internal of ['127.0.0.1', '::ffff:127.0.0.1']) {
    it(`a name answering ${PUBLIC} to the check and ${internal} to the connection reaches nothing; the delivery is refused, with no status`, async () => {
      const rx = await startReceiver();
      try {
        const { endpointId, deliveryId } = await pendingDelivery(`https://rebind.example:${rx.port}/hooks`);
        const resolve = rebindingResolver(internal);
        await attemptDelivery(knex(), app.runtime.config, app.runtime.logger, deliveryId, 1, false, resolve);

        expect(resolve.calls, 'the send-time check and the connection each asked once').to.equal(2);
        expect(rx.connections, 'no connection reached the loopback receiver').to.equal(0);
        expect(rx.received).to.have.length(0);
        const log = await api.get(`/v1/webhook-endpoints/${endpointId}/deliveries`);
        const [delivery] = log.body.data;
        expect(delivery.status, 'a policy refusal is final').to.equal('failed');
        expect(delivery.attempts).to.have.length(1);
        expect(delivery.attempts[0].statusCode).to.equal(null);
        expect(delivery.attempts[0].error).to.match(/^url not allowed: .*loopback/);
      } finally {
        await rx.close();
      }
    });
  }
});
