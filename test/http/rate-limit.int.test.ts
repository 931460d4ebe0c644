import { expect } from 'chai';
import { RateLimiter } from '../../src/http/rate-limiter.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { requestToken } from '../support/oauth.ts';

describe('Rate limits per credential', function () {
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
    expect(limited[0]!.headers.get('ratelimit-limit')).to.equal('5');
    expect(ok[0]!.headers.get('ratelimit-remaining')).to.match(/^\d+$/);
    const other = client(app.baseUrl, (await app.key(['*'])).key);
    expect((await other.get('/v1/customers?limit=1')).status).to.equal(200);
    expect((await client(app.baseUrl).get('/healthz')).status).to.equal(200); // unauthenticated probes are not limited
  });

  it("a tenant's own limit (tenant_settings) overrides the default, for API keys and OAuth clients alike; 'default' restores it", async () => {
    await app.runtime.tenantSettings.setRateLimit('tenant-slow', 1);
    const key = client(app.baseUrl, (await app.key(['*'], 'tenant-slow')).key);
    const created = await app.runtime.oauthClients.create('tenant-slow', ['*']);
    const token = (await requestToken(app.baseUrl, { id: created.id, secret: created.clientSecret })).body.access_token as string;
    for (const api of [key, client(app.baseUrl, token)]) {
      const results = await Promise.all(Array.from({ length: 8 }, () => api.get('/v1/customers?limit=1')));
      const limited = results.filter((r) => r.status === 429);
      // capacity = 2 × 1/s: at most 2 plus what refills during the burst get through
      expect(limited.length).to.be.at.least(4);
      expect(limited.length + results.filter((r) => r.status === 200).length).to.equal(8);
      expect(limited[0]!.headers.get('ratelimit-limit')).to.equal('1');
      expectProblem(limited[0]!, 429, 'rate_limited');
    }
    await app.runtime.tenantSettings.setRateLimit('tenant-slow', null);
    const fresh = await client(app.baseUrl, (await app.key(['*'], 'tenant-slow')).key).get('/v1/customers?limit=1');
    expect(fresh.headers.get('ratelimit-limit')).to.equal('5');
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
