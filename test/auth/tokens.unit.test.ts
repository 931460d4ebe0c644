import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { KeyConfigError, loadKeyRing, type KeySources } from '../../src/auth/signing-keys.ts';
import { TokenRejected, TokenService } from '../../src/auth/tokens.ts';
import { hs256WithPublicKey, pemKeyPair, sign, unsignedToken } from '../support/tokens.ts';

const OPTS = { issuer: 'urn:test:iss', audience: 'urn:test:aud', ttlSeconds: 900 };
const none: KeySources = { signingKey: null, signingKeyFile: null, previousKey: null, previousKeyFile: null };
const CLIENT = {
  clientId: 'cli_01hzzzzzzzzzzzzzzzzzzzzzzz',
  tenant: 'acme',
  scopes: ['orders:read', 'customers:write'] as const,
};

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(TokenRejected);
    return (err as TokenRejected).reason;
  }
  throw new Error('the token was accepted');
}

describe('OAuth access tokens: issuer and verifier', () => {
  const a = pemKeyPair('ed25519');
  const b = pemKeyPair('p256');

  it('issues a JWT (at+jwt, kid, iss, aud, exp = iat + ttl, jti, tenant, scope) that verifies back to the same claims', async () => {
    const svc = new TokenService(await loadKeyRing({ ...none, signingKey: a.privatePem }), OPTS);
    const { token, expiresIn, jti } = await svc.issue({ ...CLIENT, scopes: [...CLIENT.scopes] });
    expect(expiresIn).to.equal(900);
    const header = decodeProtectedHeader(token);
    expect(header).to.include({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(header.kid).to.equal(svc.jwks().keys[0]!.kid);
    const payload = decodeJwt(token);
    expect(payload).to.include({
      iss: OPTS.issuer,
      aud: OPTS.audience,
      sub: CLIENT.clientId,
      tenant: 'acme',
      scope: 'orders:read customers:write',
      jti,
    });
    expect(payload.exp! - payload.iat!).to.equal(900);
    expect(await svc.verify(token)).to.deep.equal({
      clientId: CLIENT.clientId,
      tenant: 'acme',
      scopes: ['orders:read', 'customers:write'],
      jti,
    });
  });

  it('ES256 keys work the same way; the JWKS publishes only public parts', async () => {
    const svc = new TokenService(await loadKeyRing({ ...none, signingKey: b.privatePem }), OPTS);
    const { token } = await svc.issue({ ...CLIENT, scopes: ['*'] });
    expect(decodeProtectedHeader(token).alg).to.equal('ES256');
    expect((await svc.verify(token)).scopes).to.deep.equal(['*']);
    const [jwk] = svc.jwks().keys;
    expect(jwk).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk).to.not.have.property('d');
  });

  it('accepts the signing key as a JWK too', async () => {
    const jwk = JSON.stringify(createPrivateKey(a.privatePem).export({ format: 'jwk' }));
    const fromJwk = await loadKeyRing({ ...none, signingKey: jwk });
    const fromPem = await loadKeyRing({ ...none, signingKey: a.privatePem });
    expect(fromJwk.current.kid).to.equal(fromPem.current.kid);
  });

  it('rotation: the previous key still verifies, the current one signs, both are published', async () => {
    const before = new TokenService(await loadKeyRing({ ...none, signingKey: a.privatePem }), OPTS);
    const old = await before.issue({ ...CLIENT, scopes: ['orders:read'] });
    const after = new TokenService(
      await loadKeyRing({ ...none, signingKey: b.privatePem, previousKey: a.publicPem }),
      OPTS,
    );
    expect((await after.verify(old.token)).clientId).to.equal(CLIENT.clientId);
    const fresh = await after.issue({ ...CLIENT, scopes: ['orders:read'] });
    expect(decodeProtectedHeader(fresh.token).kid).to.equal(after.jwks().keys[0]!.kid);
    expect(after.jwks().keys.map((k) => k.kid)).to.deep.equal([
      decodeProtectedHeader(fresh.token).kid,
      decodeProtectedHeader(old.token).kid,
    ]);
    // once the previous key is dropped (next rotation, again to an Ed25519 key), its tokens are refused
    const later = new TokenService(
      await loadKeyRing({ ...none, signingKey: pemKeyPair('ed25519').privatePem, previousKey: b.publicPem }),
      OPTS,
    );
    expect(await rejection(later.verify(old.token))).to.equal('unknown_kid');
  });

  describe('refuses', () => {
    let svc: TokenService;
    let kid: string;
    const claims = { iss: OPTS.issuer, aud: OPTS.audience, sub: CLIENT.clientId, tenant: 'acme', scope: 'orders:read' };
    before(async () => {
      svc = new TokenService(await loadKeyRing({ ...none, signingKey: a.privatePem }), OPTS);
      kid = svc.jwks().keys[0]!.kid!;
    });

    it('a well-formed token signed with our key is the control: accepted', async () => {
      expect((await svc.verify(await sign(createPrivateKey(a.privatePem), 'EdDSA', kid, claims))).tenant).to.equal(
        'acme',
      );
    });
    it('an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await sign(createPrivateKey(a.privatePem), 'EdDSA', kid, {
        ...claims,
        iat: now - 3600,
        exp: now - 60,
      });
      expect(await rejection(svc.verify(token))).to.equal('expired');
    });
    it('a token signed by another key under our kid (forged signature)', async () => {
      const token = await sign(generateKeyPairSync('ed25519').privateKey, 'EdDSA', kid, claims);
      expect(await rejection(svc.verify(token))).to.equal('bad_signature');
    });
    it('alg: none', async () => {
      expect(await rejection(svc.verify(unsignedToken(kid, claims)))).to.equal('alg_not_allowed');
    });
    it('HS256 with the public key as the HMAC secret', async () => {
      expect(await rejection(svc.verify(await hs256WithPublicKey(kid, a.publicPem, claims)))).to.equal(
        'alg_not_allowed',
      );
    });
    it('ES256 header on an EdDSA key (alg confusion between our own algorithms)', async () => {
      const both = new TokenService(
        await loadKeyRing({ ...none, signingKey: a.privatePem, previousKey: b.publicPem }),
        OPTS,
      );
      const token = await sign(createPrivateKey(b.privatePem), 'ES256', kid, claims);
      expect(await rejection(both.verify(token))).to.equal('alg_mismatch');
    });
    it('a wrong issuer or audience', async () => {
      const k = createPrivateKey(a.privatePem);
      expect(await rejection(svc.verify(await sign(k, 'EdDSA', kid, { ...claims, iss: 'urn:other' })))).to.equal(
        'claim_iss_check_failed',
      );
      expect(await rejection(svc.verify(await sign(k, 'EdDSA', kid, { ...claims, aud: 'urn:other' })))).to.equal(
        'claim_aud_check_failed',
      );
    });
    it('an unknown scope or a missing tenant', async () => {
      const k = createPrivateKey(a.privatePem);
      expect(await rejection(svc.verify(await sign(k, 'EdDSA', kid, { ...claims, scope: 'admin' })))).to.equal(
        'unknown_scope',
      );
      const { tenant: _t, ...noTenant } = claims;
      expect(await rejection(svc.verify(await sign(k, 'EdDSA', kid, noTenant as typeof claims)))).to.equal(
        'claims_missing',
      );
    });
    it('garbage', async () => {
      expect(await rejection(svc.verify('eyJ.eyJ.x'))).to.equal('malformed');
    });
  });

  describe('key configuration', () => {
    it('generates an ephemeral Ed25519 key when none is configured, and says so', async () => {
      const ring = await loadKeyRing(none);
      expect(ring.ephemeral).to.equal(true);
      expect(ring.current.alg).to.equal('EdDSA');
    });
    it('refuses symmetric, RSA or public-only signing keys, and a previous key without a current one', async () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      for (const bad of [
        { ...none, signingKey: rsa },
        { ...none, signingKey: a.publicPem },
        { ...none, signingKey: 'x'.repeat(40) },
        { ...none, previousKey: a.publicPem },
      ]) {
        let error: unknown;
        await loadKeyRing(bad).catch((e) => (error = e));
        expect(error, JSON.stringify(bad).slice(0, 80)).to.be.instanceOf(KeyConfigError);
      }
    });
  });
});
