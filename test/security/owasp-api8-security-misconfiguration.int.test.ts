// OWASP API8:2023 Security Misconfiguration: hardening headers on every answer, strict CORS,
// no stack traces or SQL in error answers, and (PCI DSS) no card data accepted anywhere.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem, type Res } from '../support/http.ts';
import { address, newCustomer } from '../support/oms.ts';

const ALLOWED = 'https://portal.nh-logistics.example';

function expectHardened(res: Res): void {
  const h = res.headers;
  expect(h.get('x-content-type-options'), res.text).to.equal('nosniff');
  expect(h.get('x-frame-options')).to.equal('DENY');
  expect(h.get('referrer-policy')).to.equal('no-referrer');
  expect(h.get('content-security-policy')).to.match(/default-src 'none'/);
  expect(h.get('cache-control')).to.equal('no-store');
  expect(h.get('x-powered-by')).to.equal(null);
}

describe('OWASP API8 security misconfiguration', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  before(async () => {
    app = await startTestApp({
      roles: ['api'],
      env: { OMS_CORS_ORIGINS: `${ALLOWED},https://ops.nh-logistics.example`, OMS_TRUST_PROXY: '1' },
    });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  it('every answer carries the hardening headers: success, 4xx, 404 route, health and OpenAPI', async () => {
    const anon = client(app.baseUrl);
    for (const res of [
      await api.get('/v1/customers'),
      await api.post('/v1/customers', { bogus: true }),
      await anon.get('/v1/customers'),
      await anon.get('/no/such/route'),
      await anon.get('/healthz'),
      await anon.get('/openapi.json'),
    ]) {
      expectHardened(res);
    }
  });

  it('HSTS only over HTTPS: sent when a trusted proxy says X-Forwarded-Proto: https, not over plain HTTP', async () => {
    expect((await api.get('/v1/customers')).headers.get('strict-transport-security')).to.equal(null);
    const viaProxy = await api.get('/v1/customers', { 'X-Forwarded-Proto': 'https' });
    expect(viaProxy.headers.get('strict-transport-security')).to.match(/^max-age=\d{8,}/);
  });

  it('CORS: an allowed origin gets Access-Control-Allow-Origin and a preflight answer; another origin gets none', async () => {
    const ok = await api.get('/v1/customers', { Origin: ALLOWED });
    expect(ok.headers.get('access-control-allow-origin')).to.equal(ALLOWED);
    expect(ok.headers.get('access-control-expose-headers')).to.include('ETag');
    expect(ok.headers.get('access-control-allow-credentials')).to.equal(null);

    const preflight = await client(app.baseUrl).call('OPTIONS', '/v1/orders', undefined, {
      Origin: ALLOWED,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal(ALLOWED);
    expect(preflight.headers.get('access-control-allow-methods')).to.include('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).to.include('idempotency-key');

    for (const origin of [
      'https://evil.example',
      'null',
      `${ALLOWED}.evil.example`,
      'http://portal.nh-logistics.example',
    ]) {
      const res = await api.get('/v1/customers', { Origin: origin });
      expect(res.headers.get('access-control-allow-origin'), origin).to.equal(null);
      const pf = await client(app.baseUrl).call('OPTIONS', '/v1/orders', undefined, {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
      });
      expect(pf.headers.get('access-control-allow-origin'), origin).to.equal(null);
    }
    // error answers keep the CORS header, so a browser client can read the problem
    const err = await client(app.baseUrl).get('/v1/customers', { Origin: ALLOWED });
    expect(err.status).to.equal(401);
    expect(err.headers.get('access-control-allow-origin')).to.equal(ALLOWED);
  });

  it('a fault is a bare 500 problem: no stack trace, no SQL, no table names', async () => {
    await app.db.knex.schema.renameTable('customers', 'customers_moved_away');
    try {
      const res = await api.get('/v1/customers');
      expectProblem(res, 500, 'internal_error');
      expectHardened(res);
      expect(res.text).to.not.match(/select|relation|customers_moved|\.ts:|node_modules|\n\s+at /i);
    } finally {
      await app.db.knex.schema.renameTable('customers_moved_away', 'customers');
    }
  });

  describe('PCI DSS: card data is never accepted', () => {
    it('a card number in any free-text field → 422 card_data_not_allowed with every path, and nothing is stored', async () => {
      const customerId = await newCustomer(api);
      const res = await api.post('/v1/orders', {
        customerId,
        currency: 'EUR',
        lines: [{ sku: 'PCI-1', quantity: 1, unitPrice: 100 }],
        shippingAddress: { ...address, line2: 'pay with 4111-1111-1111-1111' },
        notes: 'card 5555 5555 5555 4444 exp 12/29',
      });
      expectProblem(res, 422, 'card_data_not_allowed');
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).to.deep.equal([
        '/notes',
        '/shippingAddress/line2',
      ]);
      expect(res.text, 'the number is not echoed').to.not.match(/4111|5555/);
      const orders = await api.get(`/v1/orders?customerId=${customerId}`);
      expect(orders.body.data ?? []).to.have.length(0);
      expect(
        Number((await app.db.knex('es_events').count('* as n').whereRaw("data::text like '%4111%'").first())?.n),
      ).to.equal(0);
    });

    it('on every route: a customer name, a PATCH, an inventory reason', async () => {
      expectProblem(
        await api.post('/v1/customers', { email: 'pci@example.com', name: 'Ann 4111111111111111' }),
        422,
        'card_data_not_allowed',
      );
      const id = await newCustomer(api);
      expectProblem(
        await api.patch(`/v1/customers/${id}`, { name: '4111 1111 1111 1111' }, { 'If-Match': '"1"' }),
        422,
        'card_data_not_allowed',
      );
      expectProblem(
        await api.post('/v1/inventory/adjustments', {
          sku: 'PCI-2',
          delta: 1,
          reason: 'received',
          reference: 'amex 378282246310005',
        }),
        422,
        'card_data_not_allowed',
      );
    });

    it('Luhn-invalid numbers and long references pass', async () => {
      const res = await api.post('/v1/customers', {
        email: `ref${Date.now()}@example.com`,
        name: 'Ref 4111 1111 1111 1112 / 202611280000000000012345',
      });
      expect(res.status, res.text).to.equal(201);
    });
  });
});
