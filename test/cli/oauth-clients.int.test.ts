import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { REDIS_URL } from '../support/database.ts';
import { client, expectProblem } from '../support/http.ts';
import { requestToken } from '../support/oauth.ts';
import { spawnOms } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';

describe('oms oauth-clients and oms tenants (real CLI)', function () {
  this.timeout(90_000);
  let app: TestApp;
  let env: Record<string, string>;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
    env = { DATABASE_URL: app.db.url, REDIS_URL, OMS_REDIS_PREFIX: app.redisPrefix, LOG_LEVEL: 'warn' };
  });
  after(async () => app?.stop());

  async function oms(...args: string[]): Promise<{ code: number | null; out: string }> {
    const p = spawnOms(args, env);
    const code = await p.exited;
    return { code, out: p.output() };
  }

  it('create --json prints id and secret once; the client gets tokens; list never shows the secret; revoke stops it', async () => {
    const created = await oms(
      'oauth-clients',
      'create',
      '--tenant',
      'cli-tenant',
      '--scopes',
      'orders:read,customers:read',
      '--json',
    );
    expect(created.code, created.out).to.equal(0);
    const c = JSON.parse(created.out.trim().split('\n').at(-1)!);
    expect(c.id).to.match(/^cli_[0-9a-z]{26}$/);
    expect(c.clientSecret).to.be.a('string').with.length.above(40);
    expect(c).to.deep.include({ tenant: 'cli-tenant', scopes: ['orders:read', 'customers:read'] });

    const t = await requestToken(app.baseUrl, { id: c.id, secret: c.clientSecret });
    expect(t.status, t.text).to.equal(200);
    expect((await client(app.baseUrl, t.body.access_token).get('/v1/orders')).status).to.equal(200);

    const listed = await oms('oauth-clients', 'list', '--tenant', 'cli-tenant', '--json');
    expect(listed.code, listed.out).to.equal(0);
    expect(listed.out).to.not.include(c.clientSecret);
    expect(JSON.parse(listed.out.trim().split('\n').at(-1)!).map((x: { id: string }) => x.id)).to.deep.equal([c.id]);

    const revoked = await oms('oauth-clients', 'revoke', c.id);
    expect(revoked.code, revoked.out).to.equal(0);
    // Another process revoked it: running servers notice when their 5 s client cache expires.
    const refused = await waitFor(
      () => client(app.baseUrl, t.body.access_token).get('/v1/orders'),
      (r) => r.status === 401,
      { what: 'the revoked client’s token refused', timeoutMs: 15_000, intervalMs: 200 },
    );
    expectProblem(refused, 401, 'invalid_credentials');
    expectProblem(await requestToken(app.baseUrl, { id: c.id, secret: c.clientSecret }), 401, 'invalid_client');
  });

  it('refuses unknown scopes and bad tenants with exit code 2', async () => {
    expect((await oms('oauth-clients', 'create', '--tenant', 'x', '--scopes', 'admin')).code).to.equal(2);
    expect((await oms('oauth-clients', 'create', '--tenant', 'Bad Tenant', '--scopes', '*')).code).to.equal(2);
    expect((await oms('tenants', 'set-rate-limit', 'acme', '-3')).code).to.not.equal(0);
  });

  it('tenants set-rate-limit stores a per-tenant limit, and "default" clears it', async () => {
    expect((await oms('tenants', 'set-rate-limit', 'acme', '25')).code).to.equal(0);
    const listed = await oms('tenants', 'list', '--json');
    expect(
      JSON.parse(listed.out.trim().split('\n').at(-1)!).map((t: { tenant: string; rateLimitPerSecond: number }) => [
        t.tenant,
        t.rateLimitPerSecond,
      ]),
    ).to.deep.equal([['acme', 25]]);
    expect(await app.runtime.services.tenantSettings.rateLimit('acme')).to.equal(25);
    expect((await oms('tenants', 'set-rate-limit', 'acme', 'default')).code).to.equal(0);
    const after = await oms('tenants', 'list', '--json');
    expect(JSON.parse(after.out.trim().split('\n').at(-1)!)[0].rateLimitPerSecond).to.equal(null);
  });
});
