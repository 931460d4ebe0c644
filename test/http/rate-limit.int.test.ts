import { expect } from 'chai';
import { RateLimiter } from '../../src/http/rate-limiter.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';

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
