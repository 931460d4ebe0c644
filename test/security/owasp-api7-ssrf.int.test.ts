// OWASP API7:2023 Server Side Request Forgery: webhook URLs cannot point into our network.
import { expect } from 'chai';
import { checkWebhookUrl, isBlockedAddress } from '../../src/webhooks/url-guard.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';

describe('OWASP API7 SSRF: the webhook URL guard', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'] }); // OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS unset
  });
  after(async () => app?.stop());

  const refused = [
    'http://127.0.0.1:8080/x', // loopback
    'http://2130706433/x', // 127.0.0.1 spelt as one number
    'http://0x7f.1/x', // and in hex
    'http://10.1.2.3/x', // private
    'http://172.16.5.4/x',
    'http://192.168.0.10/x',
    'http://100.64.0.1/x', // carrier-grade NAT
    'http://169.254.169.254/latest/meta-data', // cloud metadata (link-local)
    'http://[fd00:ec2::254]/latest/meta-data', // AWS IPv6 metadata
    'http://0.0.0.0/x',
    'http://[::1]/x',
    'http://[fe80::1]/x', // link-local
    'http://[fd00::1]/x', // unique local
    'http://[::ffff:127.0.0.1]/x', // IPv4-mapped IPv6
    'http://[::ffff:a9fe:a9fe]/x', // 169.254.169.254, mapped and in hex
    'http://[::127.0.0.1]/x', // IPv4-compatible
    'http://[64:ff9b::a9fe:a9fe]/x', // NAT64 to metadata
    'http://localhost/x', // DNS names resolving to loopback
    'http://localhost.localdomain./x',
    'https://[2002:7f00:1::]/x', // 6to4 wrapping 127.0.0.1
    'https://[2001::7f00:1]/x', // Teredo
    'https://[fec0::1]/x', // site-local (deprecated, still routed by some stacks)
    'https://[::ffff:0:7f00:1]/x', // IPv4-translated
    'http://93.184.216.34/hooks', // plain http over the internet: payloads carry personal data
  ];

  it('refuses private, loopback, link-local, metadata, IPv4-mapped and tunnelling addresses, names resolving to them, and plain http: 422 webhook_url_not_allowed', async () => {
    const api = client(app.baseUrl, (await app.key(['webhooks:manage', 'customers:read', 'orders:read'])).key);
    for (const url of refused) {
      const res = await api.post('/v1/webhook-endpoints', { url, events: ['*'] });
      expectProblem(res, 422, 'webhook_url_not_allowed');
    }
    const list = await api.get('/v1/webhook-endpoints');
    expect(list.body.data, 'nothing was stored').to.have.length(0);
    expect(
      await api
        .post('/v1/webhook-endpoints', { url: 'https://93.184.216.34/hooks', events: ['*'] })
        .then((r) => r.status),
    ).to.equal(201);
  });

  it('plain http is refused for a public host even with private networks allowed: cleartext stays inside our network', async () => {
    const open = { allowPrivateNetworks: true };
    const refused = await checkWebhookUrl('http://93.184.216.34/hooks', open);
    expect(refused.ok).to.equal(false);
    expect(!refused.ok && refused.reason).to.match(/use https/);
    expect((await checkWebhookUrl('http://127.0.0.1:8080/hooks', open)).ok).to.equal(true);
    expect((await checkWebhookUrl('https://93.184.216.34/hooks', open)).ok).to.equal(true);
  });

  it('refuses other schemes and credentials in the URL', async () => {
    for (const url of [
      'file:///etc/passwd',
      'gopher://93.184.216.34/',
      'ftp://93.184.216.34/',
      'https://user:pw@93.184.216.34/x',
    ]) {
      expect((await checkWebhookUrl(url, { allowPrivateNetworks: false })).ok, url).to.equal(false);
    }
  });

  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::7f00:1',
      '64:ff9b::7f00:1',
      'not-an-ip',
    ]) {
      expect(isBlockedAddress(a), a).to.equal(true);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isBlockedAddress(a), a).to.equal(false);
  });
});
