import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { loadKeyRing } from '../../src/auth/signing-keys.ts';
import { TokenService } from '../../src/auth/tokens.ts';
import { DEFAULTS } from '../../src/config/config.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem, type Res } from '../support/http.ts';
import { capturingLogger, requestToken } from '../support/oauth.ts';
import { hs256WithPublicKey, pemKeyPair, sign, unsignedToken } from '../support/tokens.ts';

// OWASP API2:2023 Broken Authentication: every credential that is missing, malformed, unknown,
// revoked, expired, forged or of the wrong kind is refused with 401 problem+json, for API keys
// and OAuth access tokens alike.
describe('OWASP API2:2023 Broken Authentication', function () {
  this.timeout(60_000);
  const current = pemKeyPair('ed25519');
  const previous = pemKeyPair('p256');
  const log = capturingLogger();
  let app: TestApp;
  let kid: string;
  let oauth: { id: string; secret: string; tenant: string };

  const claimsFor = (over: Record<string, unknown> = {}) => ({
    iss: DEFAULTS.OMS_JWT_ISSUER,
    aud: DEFAULTS.OMS_JWT_AUDIENCE,
    sub: oauth.id,
    client_id: oauth.id,
    tenant: oauth.tenant,
    scope: '*',
    ...over,
  });
  const as = (credential: string) => client(app.baseUrl, credential).get('/v1/customers?limit=1');
  const refused = (res: Res) => {
    expectProblem(res, 401, res.body?.code === 'unauthenticated' ? 'unauthenticated' : 'invalid_credentials');
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm="oms"/);
  };

  before(async () => {
    app = await startTestApp({
      roles: ['api'],
      logger: log.logger,
      env: { OMS_JWT_SIGNING_KEY: current.privatePem, OMS_JWT_PREVIOUS_KEY: previous.publicPem },
    });
    kid = app.runtime.services.tokens.jwks().keys[0]!.kid!;
    const created = await app.runtime.services.oauthClients.create('tenant-oauth', ['*']);
    oauth = { id: created.id, secret: created.clientSecret, tenant: created.tenant };
  });
  after(async () => app?.stop());

  describe('API keys', () => {
    it('missing or not a bearer credential → 401 unauthenticated', async () => {
      refused(await client(app.baseUrl).get('/v1/customers'));
      refused(await client(app.baseUrl).get('/v1/customers', { Authorization: 'Basic dXNlcjpwYXNz' }));
      expect((await client(app.baseUrl).get('/v1/customers')).body.code).to.equal('unauthenticated');
    });
    it('malformed, unknown, wrong-secret and revoked keys → 401 invalid_credentials', async () => {
      const { key, id } = await app.key(['*']);
      expect((await as(key)).status).to.equal(200); // control
      for (const bad of [
        'garbage',
        'oms.',
        'oms.key_x.y',
        'oms.key_01hzzzzzzzzzzzzzzzzzzzzzzz.secret',
        `${key.slice(0, -2)}xx`,
        'a.b.c',
      ]) {
        const res = await as(bad);
        refused(res);
        expect(res.body.code, bad).to.equal('invalid_credentials');
      }
      await app.runtime.services.apiKeys.revoke(id);
      refused(await as(key));
    });
  });

  describe('OAuth access tokens', () => {
    it('a token from /oauth/token works (control)', async () => {
      const t = await requestToken(app.baseUrl, oauth);
      expect(t.status, t.text).to.equal(200);
      expect(t.body).to.include({ token_type: 'Bearer', expires_in: 900, scope: '*' });
      expect(t.headers.get('cache-control')).to.equal('no-store');
      expect((await as(t.body.access_token)).status).to.equal(200);
    });

    it('expired → 401 (and says so)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await sign(createPrivateKey(current.privatePem), 'EdDSA', kid, {
        ...claimsFor(),
        iat: now - 1000,
        exp: now - 100,
      });
      const res = await as(token);
      refused(res);
      expect(res.body.detail).to.match(/expired/);
    });
    it('forged signature (another key under our kid) → 401', async () => {
      refused(await as(await sign(generateKeyPairSync('ed25519').privateKey, 'EdDSA', kid, claimsFor())));
    });
    it('alg: none → 401', async () => {
      refused(await as(unsignedToken(kid, claimsFor())));
    });
    it('alg: HS256 with the public key as the secret → 401', async () => {
      refused(await as(await hs256WithPublicKey(kid, current.publicPem, claimsFor())));
    });
    it('wrong issuer or audience → 401', async () => {
      const k = createPrivateKey(current.privatePem);
      refused(await as(await sign(k, 'EdDSA', kid, claimsFor({ iss: 'https://evil.example' }))));
      refused(await as(await sign(k, 'EdDSA', kid, claimsFor({ aud: 'some-other-api' }))));
    });
    it('a correctly signed token for a tenant other than its client → 401', async () => {
      refused(
        await as(await sign(createPrivateKey(current.privatePem), 'EdDSA', kid, claimsFor({ tenant: 'someone-else' }))),
      );
    });
    it('a token signed by the previous (rotated-out) key still works; both keys are in the JWKS', async () => {
      const before = new TokenService(
        await loadKeyRing({
          signingKey: previous.privatePem,
          signingKeyFile: null,
          previousKey: null,
          previousKeyFile: null,
        }),
        { issuer: DEFAULTS.OMS_JWT_ISSUER, audience: DEFAULTS.OMS_JWT_AUDIENCE, ttlSeconds: 900 },
      );
      const { token } = await before.issue({ clientId: oauth.id, tenant: oauth.tenant, scopes: ['*'] });
      expect((await as(token)).status).to.equal(200);
      const jwks = await client(app.baseUrl).get('/.well-known/jwks.json');
      expect(jwks.status).to.equal(200);
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).to.deep.equal([kid, before.jwks().keys[0]!.kid]);
      expect(jwks.body.keys.every((k: Record<string, unknown>) => !('d' in k))).to.equal(true);
    });
    it("a revoked client's tokens → 401, and it gets no new ones", async () => {
      const c = await app.runtime.services.oauthClients.create('tenant-revoked', ['orders:read']);
      const t = await requestToken(app.baseUrl, { id: c.id, secret: c.clientSecret });
      expect((await client(app.baseUrl, t.body.access_token).get('/v1/orders')).status).to.equal(200);
      await app.runtime.services.oauthClients.revoke(c.id);
      refused(await client(app.baseUrl, t.body.access_token).get('/v1/orders'));
      expectProblem(await requestToken(app.baseUrl, { id: c.id, secret: c.clientSecret }), 401, 'invalid_client');
    });
  });

  describe('POST /oauth/token (RFC 6749 §4.4, errors per §5.2)', () => {
    it('wrong secret (Basic or body) or unknown client → 401 invalid_client', async () => {
      const basic = await requestToken(app.baseUrl, { id: oauth.id, secret: 'not-the-secret' });
      expectProblem(basic, 401, 'invalid_client');
      expect(basic.body.error).to.equal('invalid_client');
      expect(basic.headers.get('www-authenticate')).to.match(/^Basic realm="oms"/);
      expectProblem(
        await requestToken(app.baseUrl, { id: oauth.id, secret: 'nope' }, { inBody: true }),
        401,
        'invalid_client',
      );
      expectProblem(
        await requestToken(app.baseUrl, { id: 'cli_01hzzzzzzzzzzzzzzzzzzzzzzz', secret: oauth.secret }),
        401,
        'invalid_client',
      );
      const none = await client(app.baseUrl).post('/oauth/token', 'grant_type=client_credentials', {
        'Content-Type': 'application/x-www-form-urlencoded',
      });
      expectProblem(none, 401, 'invalid_client');
    });
    it('credentials in the body work as well as Basic', async () => {
      const t = await requestToken(app.baseUrl, oauth, { inBody: true });
      expect(t.status, t.text).to.equal(200);
    });
    it('scope narrows to a subset; the narrowed token is refused elsewhere with 403; a scope outside the client → 400 invalid_scope', async () => {
      const c = await app.runtime.services.oauthClients.create('tenant-narrow', ['orders:read', 'customers:read']);
      const creds = { id: c.id, secret: c.clientSecret };
      const t = await requestToken(app.baseUrl, creds, { scope: 'orders:read' });
      expect(t.body.scope).to.equal('orders:read');
      expect((await client(app.baseUrl, t.body.access_token).get('/v1/orders')).status).to.equal(200);
      expectProblem(await client(app.baseUrl, t.body.access_token).get('/v1/customers'), 403, 'insufficient_scope');
      const wide = await requestToken(app.baseUrl, creds, { scope: 'orders:read orders:write' });
      expectProblem(wide, 400, 'invalid_scope');
      expect(wide.body.error).to.equal('invalid_scope');
      expectProblem(await requestToken(app.baseUrl, creds, { scope: '*' }), 400, 'invalid_scope');
    });
    it('other grant types → 400 unsupported_grant_type; no grant_type or repeated parameters → 400 invalid_request; JSON → 415', async () => {
      expectProblem(await requestToken(app.baseUrl, oauth, { grantType: 'password' }), 400, 'unsupported_grant_type');
      const h = { 'Content-Type': 'application/x-www-form-urlencoded' };
      const noGrant = await client(app.baseUrl).post(
        '/oauth/token',
        `client_id=${oauth.id}&client_secret=${oauth.secret}`,
        h,
      );
      expectProblem(noGrant, 400, 'invalid_request');
      const twice = await client(app.baseUrl).post(
        '/oauth/token',
        `grant_type=client_credentials&grant_type=client_credentials&client_id=${oauth.id}&client_secret=${oauth.secret}`,
        h,
      );
      expectProblem(twice, 400, 'invalid_request');
      expectProblem(
        await client(app.baseUrl).post('/oauth/token', { grant_type: 'client_credentials' }),
        415,
        'unsupported_media_type',
      );
    });
  });

  it('the audit log names credential id, kind and tenant of each request, and failure reasons, never a secret or token', async () => {
    const { key, id, tenant } = await app.key(['*'], 'tenant-audit');
    await as(key);
    const t = await requestToken(app.baseUrl, oauth);
    await as(t.body.access_token);
    const forged = unsignedToken(kid, claimsFor());
    await as(forged);
    const wrongSecret = 'wrong-secret-that-must-not-be-logged';
    await requestToken(app.baseUrl, { id: oauth.id, secret: wrongSecret });
    const lines = log.lines();
    const requests = lines.filter((l) => l.msg === 'request' && l.credential);
    expect(requests.map((l) => l.credential)).to.deep.include({ id, kind: 'api_key', tenant });
    expect(requests.map((l) => l.credential)).to.deep.include({
      id: oauth.id,
      kind: 'oauth_client',
      tenant: oauth.tenant,
    });
    const failures = lines
      .filter((l) => l.msg === 'authentication failed')
      .map((l) => l.auth as Record<string, unknown>);
    expect(failures).to.deep.include({
      outcome: 'failed',
      kind: 'oauth_client',
      reason: 'token_alg_not_allowed',
      claimedCredentialId: null,
    });
    expect(failures).to.deep.include({
      outcome: 'failed',
      kind: 'oauth_client',
      reason: 'token_request_bad_client',
      claimedCredentialId: oauth.id,
    });
    const text = log.text();
    for (const secret of [key, key.split('.')[2]!, oauth.secret, wrongSecret, t.body.access_token as string, forged])
      expect(text).to.not.include(secret);
  });
});
