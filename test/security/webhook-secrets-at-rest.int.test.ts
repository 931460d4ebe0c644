// Webhook signing secrets are stored sealed under the master key, never in plaintext.
import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { newCustomer } from '../support/oms.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

describe('Webhook signing secrets at rest', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;

  before(async () => {
    app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1', OMS_WEBHOOK_BACKOFF_MS: '20' } });
    const key = await app.key(['*']);
    tenant = key.tenant;
    api = client(app.baseUrl, key.key);
  });
  after(async () => app?.stop());

  /** Every webhook_endpoints row as text, every column included. */
  const tableText = async () =>
    JSON.stringify(
      (await app.runtime.services.knex.raw('select row_to_json(e)::text as row from webhook_endpoints e')).rows,
    );

  it('the secret shown at creation is not in the table, in any column, and deliveries are signed with it', async () => {
    const rx = await startReceiver();
    try {
      const res = await api.post('/v1/webhook-endpoints', { url: rx.url, events: ['customer.created'] });
      expect(res.status, res.text).to.equal(201);
      const secret = res.body.secret as string;
      expect(secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/); // Standard Webhooks: whsec_ + base64 of 32 bytes
      const text = await tableText();
      expect(text).to.not.include(secret.slice('whsec_'.length));
      expect(text).to.not.include(Buffer.from(secret.slice('whsec_'.length), 'base64').toString('hex'));
      await newCustomer(api);
      await waitFor(
        async () => rx.received.length,
        (n) => n === 1,
        { what: 'the delivery' },
      );
      expect(() =>
        new Webhook(secret).verify(rx.received[0]!.raw, rx.received[0]!.headers as Record<string, string>),
      ).to.not.throw();
    } finally {
      await rx.close();
    }
  });

  it('a secret stored in plaintext before this release is sealed by the next migrate, and still signs', async () => {
    const rx = await startReceiver();
    try {
      const legacy = `whsec_${Buffer.from('an older secret, 32 bytes long!!').toString('base64url')}`;
      await app.runtime.services.knex('webhook_endpoints').insert({
        tenant,
        id: 'whk_01jdx9a4b5c6d7e8f9g0h1j2k3',
        url: rx.url,
        events: ['customer.created'],
        secret: legacy,
      });
      await app.runtime.migrate();
      const row = await app.runtime.services
        .knex('webhook_endpoints')
        .where({ id: 'whk_01jdx9a4b5c6d7e8f9g0h1j2k3' })
        .first();
      expect(row.secret).to.equal(null);
      expect(row.secret_sealed).to.be.instanceOf(Buffer);
      expect(await tableText()).to.not.include(legacy.slice('whsec_'.length));
      await newCustomer(api);
      await waitFor(
        async () => rx.received.length,
        (n) => n === 1,
        { what: 'the delivery' },
      );
      // Receivers keep the secret they have; a Standard Webhooks library wants it in base64.
      const standard = `whsec_${Buffer.from(legacy.slice(6), 'base64url').toString('base64')}`;
      expect(() =>
        new Webhook(standard).verify(rx.received[0]!.raw, rx.received[0]!.headers as Record<string, string>),
      ).to.not.throw();
    } finally {
      await rx.close();
    }
  });
});
