import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { masterKeyId, openSecret, sealSecret } from '../../src/webhooks/secret-box.ts';

describe('Webhooks: the sealed signing secret', () => {
  const master = randomBytes(32);
  const secret = `whsec_${randomBytes(32).toString('base64')}`;

  it('opens with the master key that sealed it, or with it as the previous key after a rotation', () => {
    const sealed = sealSecret(master, 't1', 'whk_a', secret);
    expect(sealed.secret_key_id).to.equal(masterKeyId(master));
    expect(sealed.secret_sealed.toString('latin1')).to.not.include(secret.slice(6));
    expect(openSecret({ current: master, previous: null }, 't1', 'whk_a', sealed)).to.equal(secret);
    expect(openSecret({ current: randomBytes(32), previous: master }, 't1', 'whk_a', sealed)).to.equal(secret);
  });

  it('does not open on another endpoint or tenant, under another master key, or tampered', () => {
    const sealed = sealSecret(master, 't1', 'whk_a', secret);
    const masters = { current: master, previous: null };
    expect(() => openSecret(masters, 't1', 'whk_b', sealed)).to.throw();
    expect(() => openSecret(masters, 't2', 'whk_a', sealed)).to.throw();
    expect(() => openSecret({ current: randomBytes(32), previous: null }, 't1', 'whk_a', sealed)).to.throw(
      /unknown master key/,
    );
    const flipped = Buffer.from(sealed.secret_sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => openSecret(masters, 't1', 'whk_a', { ...sealed, secret_sealed: flipped })).to.throw();
  });
});
