// OWASP API4:2023 Unrestricted Resource Consumption: body, page and array caps, and per-credential
// rate limits (429 with Retry-After and RateLimit headers).
import { expect } from 'chai';
import { RateLimiter } from '../../src/http/rate-limiter.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { requestToken } from '../support/oauth.ts';
import { address, newCustomer } from '../support/oms.ts';

describe('OWASP API4 resource consumption: size caps', function () {
  this.timeout(30_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  before(async () => {
    app = await startTestApp({ roles: ['api'], env: { OMS_BODY_LIMIT_BYTES: '65536' } });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  it('a body over OMS_BODY_LIMIT_BYTES → 413, declared or streamed, and the server keeps serving', async () => {
    const big = { email: 'big@example.com', name: 'x'.repeat(70_000) };
    expectProblem(await api.post('/v1/customers', big), 413, 'payload_too_large');
    // chunked (no Content-Length): cut off while reading
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(JSON.stringify(big)));
        c.close();
      },
    });
    const res = await fetch(`${app.baseUrl}/v1/customers`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: {
        'Content-Type': 'application/json',
        Authorization: await app.key(['*']).then((k) => `Bearer ${k.key}`),
      },
    } as RequestInit);
    expect(res.status).to.equal(413);
    expect((await api.get('/v1/customers?limit=1')).status).to.equal(200);
  });

  it('page size is capped: limit above 200 or below 1 → 400 on every list', async () => {
    for (const path of ['/v1/customers', '/v1/orders', '/v1/shipments', '/v1/inventory']) {
      expectProblem(await api.get(`${path}?limit=201`), 400, 'validation_failed');
      expectProblem(await api.get(`${path}?limit=0`), 400, 'validation_failed');
      expect((await api.get(`${path}?limit=200`)).status, path).to.equal(200);
    }
  });

  it('arrays are capped: 201 order lines or 21 customer addresses → 400, nothing appended', async () => {
    const customerId = await newCustomer(api);
    const lines = Array.from({ length: 201 }, (_, i) => ({ sku: `S-${i}`, quantity: 1, unitPrice: 1 }));
    expectProblem(
      await api.post('/v1/orders', { customerId, currency: 'EUR', lines, shippingAddress: address }),
      400,
      'validation_failed',
    );
    const addresses = Array.from({ length: 21 }, () => ({ line1: '1 Road', city: 'Town', country: 'NL' }));
    expectProblem(
      await api.post('/v1/customers', { email: 'many@example.com', name: 'Many', addresses }),
      400,
      'validation_failed',
    );
    expect((await api.get(`/v1/orders?customerId=${customerId}`)).body.data).to.have.length(0);
  });
});

describe('OWASP API4 resource consumption: per-request deadline', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'], env: { OMS_REQUEST_TIMEOUT_MS: '300' } });
  });
  after(async () => app?.stop());

  it('a request still running at OMS_REQUEST_TIMEOUT_MS → 503 request_timeout with Retry-After; the server keeps serving', async () => {
    const api = client(app.baseUrl, (await app.key(['*'])).key);
    // A read-your-writes wait for a position the log never reaches would hold the request 5 s.
    const res = await api.get('/v1/customers', { 'Oms-Min-Position': '999999999999-1' });
    expectProblem(res, 503, 'request_timeout');
    expect(res.headers.get('retry-after')).to.equal('1');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect((await api.get('/v1/customers')).status).to.equal(200);
  });
});

describe('OWASP API4 resource consumption: rate limits per credential', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'], env: { OMS_RATE_LIMIT_PER_SECOND: '5' } });
  });
  after(async () => app?.stop());

  it('a burst beyond the bucket gets 429 rate_limited with Retry-After and RateLimit headers; another key is unaffected', async () => {
    const api = client(app.baseUrl, (await app.key(['*'])).key);
    const results = await Promise.all(Array.from({ length: 25 }, () => api.get('/v1/customers?limit=1')));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    // capacity = 2 × 5/s, plus what refills while the burst is being served
    expect(ok.length).to.be.at.least(10);
    expect(limited.length).to.be.at.least(5);
    expect(limited.length).to.equal(25 - ok.length);
    expectProblem(limited[0]!, 429, 'rate_limited');
    expect(Number(limited[0]!.headers.get('retry-after'))).to.be.at.least(1);
    expect(limited[0]!.headers.get('ratelimit-limit')).to.equal('10'); // the bucket: 2 × 5/s
    expect(ok[0]!.headers.get('ratelimit-remaining')).to.match(/^\d+$/);
    const other = client(app.baseUrl, (await app.key(['*'])).key);
    expect((await other.get('/v1/customers?limit=1')).status).to.equal(200);
    expect((await client(app.baseUrl).get('/healthz')).status).to.equal(200); // unauthenticated probes are not limited
  });

  it("a tenant's own limit (tenant_settings) overrides the default, for API keys and OAuth clients alike; 'default' restores it", async () => {
    await app.runtime.services.tenantSettings.setRateLimit('tenant-slow', 1);
    const key = client(app.baseUrl, (await app.key(['*'], 'tenant-slow')).key);
    const created = await app.runtime.services.oauthClients.create('tenant-slow', ['*']);
    const token = (await requestToken(app.baseUrl, { id: created.id, secret: created.clientSecret })).body
      .access_token as string;
    for (const api of [key, client(app.baseUrl, token)]) {
      const results = await Promise.all(Array.from({ length: 8 }, () => api.get('/v1/customers?limit=1')));
      const limited = results.filter((r) => r.status === 429);
      // capacity = 2 × 1/s: at most 2 plus what refills during the burst get through
      expect(limited.length).to.be.at.least(4);
      expect(limited.length + results.filter((r) => r.status === 200).length).to.equal(8);
      expect(limited[0]!.headers.get('ratelimit-limit')).to.equal('2');
      expectProblem(limited[0]!, 429, 'rate_limited');
    }
    await app.runtime.services.tenantSettings.setRateLimit('tenant-slow', null);
    const fresh = await client(app.baseUrl, (await app.key(['*'], 'tenant-slow')).key).get('/v1/customers?limit=1');
    expect(fresh.headers.get('ratelimit-limit')).to.equal('10');
  });

  it('RateLimit-Remaining never exceeds RateLimit-Limit, the bucket applied: default, a tenant of its own, and after that tenant is lowered', async () => {
    const headers = (res: { headers: Headers }) => ({
      limit: Number(res.headers.get('ratelimit-limit')),
      remaining: Number(res.headers.get('ratelimit-remaining')),
    });
    // default 5/s: a fresh bucket holds 10, the first request leaves 9
    expect(headers(await client(app.baseUrl, (await app.key(['*'])).key).get('/v1/customers?limit=1'))).to.deep.equal({
      limit: 10,
      remaining: 9,
    });
    // a tenant's own 50/s: its bucket of 100, not the default's
    await app.runtime.services.tenantSettings.setRateLimit('tenant-fast', 50);
    const fast = client(app.baseUrl, (await app.key(['*'], 'tenant-fast')).key);
    expect(headers(await fast.get('/v1/customers?limit=1'))).to.deep.equal({ limit: 100, remaining: 99 });
    // lowered to 2/s: the full bucket is cut to the new size at once
    await app.runtime.services.tenantSettings.setRateLimit('tenant-fast', 2);
    const lowered = headers(await fast.get('/v1/customers?limit=1'));
    expect(lowered.limit).to.equal(4);
    expect(lowered.remaining).to.be.at.most(3);
    await app.runtime.services.tenantSettings.setRateLimit('tenant-fast', null);
  });

  it('fails open (and says so) when Redis cannot be reached', async () => {
    const limiter = new RateLimiter('redis://127.0.0.1:1', 'oms-test', 1, createLogger('silent'));
    try {
      const decisions = await Promise.all([limiter.take('k'), limiter.take('k'), limiter.take('k')]);
      expect(decisions.every((d) => d.allowed && d.degraded)).to.equal(true);
      expect(limiter.degraded).to.equal(true);
    } finally {
      limiter.close();
    }
    const ready = await client(app.baseUrl).get('/readyz');
    expect(ready.body.rateLimiting).to.equal('ok');
  });
});
