import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { isEnvelope, open, seal } from '../../src/pii/envelope.ts';

describe('Personal data envelope (AES-256-GCM per customer)', () => {
  const key = randomBytes(32);
  const pii = { email: 'ada@example.com', name: 'Ada', phone: null, addresses: [] };

  it('round-trips, and holds no plaintext', () => {
    const env = seal(key, 'acme', 'cus_1', pii);
    expect(isEnvelope(env)).to.equal(true);
    expect(JSON.stringify(env)).to.not.include('ada@example.com');
    expect(open(key, 'acme', 'cus_1', env)).to.deep.equal(pii);
  });

  it('two seals of the same value differ (fresh IV)', () => {
    expect(seal(key, 'acme', 'cus_1', pii).ct).to.not.equal(seal(key, 'acme', 'cus_1', pii).ct);
  });

  it('every seal has an IV of its own, across refills of the pooled random buffer', () => {
    const ivs = Array.from({ length: 2000 }, () => seal(key, 'acme', 'cus_1', 'x').iv);
    expect(new Set(ivs).size).to.equal(ivs.length);
    for (const iv of ivs) expect(Buffer.from(iv, 'base64')).to.have.length(12);
  });

  it('refuses another key, another tenant, another customer and a tampered ciphertext or tag', () => {
    const env = seal(key, 'acme', 'cus_1', pii);
    expect(() => open(randomBytes(32), 'acme', 'cus_1', env)).to.throw();
    expect(() => open(key, 'globex', 'cus_1', env)).to.throw();
    expect(() => open(key, 'acme', 'cus_2', env)).to.throw();
    // The envelope's own claim does not count: the reader says whose it must be.
    expect(() => open(key, 'acme', 'cus_2', { ...env, customerId: 'cus_2' })).to.throw();
    const ct = Buffer.from(env.ct, 'base64');
    ct[0]! ^= 1;
    expect(() => open(key, 'acme', 'cus_1', { ...env, ct: ct.toString('base64') })).to.throw();
    expect(() => open(key, 'acme', 'cus_1', { ...env, tag: randomBytes(16).toString('base64') })).to.throw();
  });

  it('refuses a truncated tag and an IV of another length', () => {
    const env = seal(key, 'acme', 'cus_1', pii);
    // GCM verifies a prefix of the real tag: a 4-byte tag would be a 2^-32 forgery bound.
    const short = Buffer.from(env.tag, 'base64').subarray(0, 4).toString('base64');
    expect(() => open(key, 'acme', 'cus_1', { ...env, tag: short })).to.throw(/tag/);
    expect(() => open(key, 'acme', 'cus_1', { ...env, iv: randomBytes(16).toString('base64') })).to.throw(/IV/);
  });
});
