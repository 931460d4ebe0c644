import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { RateLimiter } from '../../src/http/rate-limiter.ts';
import { newId } from '../../src/ids.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { REDIS_URL } from '../support/database.ts';
import { client, expectProblem, type Res } from '../support/http.ts';
import { countQueries } from '../support/query-count.ts';
import { waitFor } from '../support/wait.ts';

// Requests without a valid credential are limited per client address, and an unknown credential id
// is remembered briefly: neither a flood of made-up credentials nor /oauth/token guessing costs a
// database query per request.
const madeUpKey = () => `oms.${newId('key')}.${randomBytes(16).toString('base64url')}`;
const tokenRequest = (baseUrl: string, clientId: string, headers: Record<string, string> = {}) =>
  client(baseUrl).post(
    '/oauth/token',
    new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' }).toString(),
    { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  );

describe('Unauthenticated traffic: negative credential cache, per-address limit (int)', function () {
  this.timeout(90_000);

  describe('the same unknown credential id again and again (no address limit)', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ roles: ['api'], env: { OMS_RATE_LIMIT_PER_ADDRESS: '0' } });
    });
    after(async () => app?.stop());

    it('50 requests with one made-up API key or OAuth client id cost one query each', async () => {
      const keys = countQueries(app.runtime.services.pool, /from api_keys/);
      const clients = countQueries(app.runtime.services.pool, /from oauth_clients/);
      try {
        const key = madeUpKey();
        const clientId = newId('cli');
        for (let i = 0; i < 50; i++) {
          expect((await client(app.baseUrl, key).get('/v1/customers')).status).to.equal(401);
          expect((await tokenRequest(app.baseUrl, clientId)).status).to.equal(401);
        }
        expect(keys.count()).to.equal(1);
        expect(clients.count()).to.equal(1);
      } finally {
        clients.restore();
        keys.restore();
      }
    });
  });

  describe('per client address', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ roles: ['api'], env: { OMS_RATE_LIMIT_PER_ADDRESS: '2', OMS_TRUST_PROXY: '1' } });
    });
    after(async () => app?.stop());

    /** Tokens the bucket (2 × rate) can have handed out over `ms`: its size plus the refill. */
    const bucketBound = (rate: number, ms: number) => 2 * rate + Math.ceil((ms / 1000) * rate) + 1;

    it('made-up API keys, each a new id: 429 problem+json with Retry-After, and a bounded number of queries', async () => {
      const queries = countQueries(app.runtime.services.pool, /from api_keys/);
      const address = { 'X-Forwarded-For': '198.51.100.7' };
      const started = Date.now();
      const answers: Res[] = [];
      try {
        for (let i = 0; i < 40; i++) answers.push(await client(app.baseUrl, madeUpKey()).get('/v1/customers', address));
      } finally {
        queries.restore();
      }
      const elapsed = Date.now() - started;
      const limited = answers.filter((r) => r.status === 429);
      expect(limited.length).to.be.greaterThan(0);
      expectProblem(limited[0]!, 429, 'rate_limited');
      expect(Number(limited[0]!.headers.get('retry-after'))).to.be.at.least(1);
      expect(answers.every((r) => r.status === 401 || r.status === 429)).to.equal(true);
      expect(queries.count()).to.be.at.most(bucketBound(2, elapsed)).and.below(40);
      // Another address is not held up by this one.
      const other = await client(app.baseUrl, madeUpKey()).get('/v1/customers', { 'X-Forwarded-For': '198.51.100.8' });
      expect(other.status).to.equal(401);
    });

    it('/oauth/token with bad client credentials: 429 once the address has used its bucket', async () => {
      const queries = countQueries(app.runtime.services.pool, /from oauth_clients/);
      const started = Date.now();
      const answers: Res[] = [];
      try {
        for (let i = 0; i < 20; i++)
          answers.push(await tokenRequest(app.baseUrl, newId('cli'), { 'X-Forwarded-For': '198.51.100.9' }));
      } finally {
        queries.restore();
      }
      const limited = answers.filter((r) => r.status === 429);
      expect(limited.length).to.be.greaterThan(0);
      expectProblem(limited[0]!, 429, 'rate_limited');
      expect(limited[0]!.headers.get('retry-after')).to.match(/^[1-9][0-9]*$/);
      expect(queries.count())
        .to.be.at.most(bucketBound(2, Date.now() - started))
        .and.below(20);
    });

    it('behind the trusted proxy the address is the last X-Forwarded-For entry: made-up ones before it do not reset the bucket', async () => {
      const answers: number[] = [];
      for (let i = 0; i < 12; i++) {
        const spoofed = `203.0.113.${i + 1}, 192.0.2.44`;
        answers.push((await client(app.baseUrl).get('/healthz', { 'X-Forwarded-For': spoofed })).status);
      }
      expect(answers).to.include(429);
    });
  });

  describe('the bucket keeps Redis time, not the host clock', () => {
    const realNow = Date.now;
    afterEach(() => {
      Date.now = realNow;
    });

    it('a host whose clock runs a minute ahead (or behind) gets no fresh bucket', async () => {
      const prefix = `oms-test-clock-${randomBytes(4).toString('hex')}`;
      const hostA = new RateLimiter(REDIS_URL, prefix, 1, createLogger('silent'));
      const hostB = new RateLimiter(REDIS_URL, prefix, 1, createLogger('silent'));
      try {
        // The limiter fails open until its connection is up: wait for both to be connected.
        for (const host of [hostA, hostB])
          await waitFor(
            () => host.take(`warm-up-${randomBytes(4).toString('hex')}`),
            (d) => !d.degraded,
            { what: 'the limiter connected to Redis' },
          );
        // Rate 1/s: the bucket holds 2. Host A empties it.
        expect((await hostA.take('cred')).allowed).to.equal(true);
        expect((await hostA.take('cred')).allowed).to.equal(true);
        for (const skew of [60_000, -60_000]) {
          Date.now = () => realNow() + skew;
          const b = await hostB.take('cred');
          Date.now = realNow;
          expect(b.degraded).to.equal(false);
          expect(b.allowed, `host B with its clock ${skew} ms off`).to.equal(false);
        }
        expect((await hostA.take('cred')).allowed).to.equal(false);
      } finally {
        hostA.close();
        hostB.close();
      }
    });
  });
});
