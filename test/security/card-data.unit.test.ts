import { expect } from 'chai';
import {
  asciiDigit,
  cardDataPaths,
  containsCardNumber,
  luhnValid,
  normaliseDigits,
} from '../../src/security/card-data.ts';

describe('card data detector (PCI DSS)', () => {
  it('implements Luhn', () => {
    expect(luhnValid('4111111111111111')).to.equal(true);
    expect(luhnValid('4111111111111112')).to.equal(false);
    expect(luhnValid('79927398713')).to.equal(true);
  });

  for (const text of [
    '4111111111111111',
    'card 4111 1111 1111 1111 please',
    '4111-1111-1111-1111',
    'Amex 3782 822463 10005',
    'visa13: 4222222222222',
    'maestro 6759649826438453',
    '19 digits 6011 0000 0000 0000 001',
    'qty 2 4111-1111-1111-1111',
    'call me, pay with 5555555555554444.',
    // separators people use, in any run
    '4111.1111.1111.1111',
    '4111  1111 1111 1111',
    '4111  1111  1111  1111',
    '4111 - 1111 - 1111 - 1111',
    '4111/1111/1111/1111',
    '4111\t1111\t1111\t1111',
    '4111\u00a01111\u00a01111\u00a01111', // no-break space
    '4111\u20131111\u20131111\u20131111', // en dash
    '4111\u200b1111\u200b1111\u200b1111', // zero-width space
    '4111\u00ad1111\u00ad1111\u00ad1111', // soft hyphen
    // digit forms
    '\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11', // full-width
    'card \uff14\uff11\uff11\uff11\u3000\uff11\uff11\uff11\uff11\uff0e1111\uff0d1111', // full-width space, dot, dash; mixed
    '\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661', // Arabic-Indic
    '\u096a\u0967\u0967\u0967 \u0967\u0967\u0967\u0967 \u0967\u0967\u0967\u0967 \u0967\u0967\u0967\u0967', // Devanagari
    '\u{1d7dc}\u{1d7d9}\u{1d7d9}\u{1d7d9}111111111111', // mathematical double-struck digits
  ]) {
    it(`flags ${JSON.stringify(text)}`, () => expect(containsCardNumber(text)).to.equal(true));
  }

  for (const text of [
    '4111 1111 1111 1112', // Luhn-invalid
    '4111111111111112',
    '411111111111', // 12 digits
    'order ref 202611280000000000012345', // 24-digit reference, never cut into windows
    'REF-1234567890123456789012345',
    '41111111111111111111', // 20 digits: longer than any PAN
    'phone +44 20 7946 0958',
    '4111  1111  1111  1112', // Luhn-invalid, however it is spaced
    '4111.1111.1111.1112',
    '\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff12', // full-width, Luhn-invalid
    'dates 2026-11-28 and 2026-11-29',
    'buyer1764361234560-0@example.com', // a millisecond timestamp: no card network starts with 1
    '7992739871300', // Luhn-valid, but no card network starts with 7
    'phone +44.20.7946.0958',
    'phone (020) 7946-0958 / 7946-0959',
    'tel \uff10\uff12\uff10 \uff17\uff19\uff14\uff16 \uff10\uff19\uff15\uff18', // full-width phone
    'shipped 2026-11-28T14:30:15.123Z, delivered 2026-11-29T09:00:00.000Z',
    'dates 28/11/2026 and 29.11.2026',
    'host 192.168.100.200 port 8443',
    'line 1\n4111\n1111\n1111\n1111', // one value per line: a line break ends a run
    'order ref \uff12\uff10\uff12\uff16\uff11\uff11\uff12\uff18\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff11\uff12\uff13\uff14\uff15', // full-width 24-digit reference
  ]) {
    it(`passes ${JSON.stringify(text)}`, () => expect(containsCardNumber(text)).to.equal(false));
  }

  it('reports every JSON path, masking keys', () => {
    const body = {
      notes: 'ok',
      shippingAddress: { line1: 'pay 4111 1111 1111 1111' },
      lines: [{ sku: 'A' }, { sku: 'B', note: '5555555555554444' }],
      meta: { '4111111111111111': 'x' },
      amount: 4111111111111111, // a number, not text: schemas refuse unexpected numbers
    };
    expect(cardDataPaths(body)).to.deep.equal(['/shippingAddress/line1', '/lines/1/note', '/meta/****************']);
    expect(cardDataPaths({ a: ['no cards here', 12345] })).to.deep.equal([]);
    // a full-width number in a key is masked too
    expect(cardDataPaths({ m: { '\uff14\uff11\uff11\uff11.1111.1111.1111': 'x' } })).to.deep.equal([
      '/m/****.****.****.****',
    ]);
  });

  it('turns every Unicode decimal digit into its ASCII digit', () => {
    // Each script's digits are a run 0–9: check the value of every one the runtime knows.
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      const ch = String.fromCodePoint(cp);
      if (!/\p{Nd}/u.test(ch)) continue;
      const value = asciiDigit(ch);
      expect(value, cp.toString(16)).to.match(/^[0-9]$/);
      // NFKC agrees wherever it folds the digit (full-width, mathematical)
      const nfkc = ch.normalize('NFKC');
      if (/^[0-9]$/.test(nfkc)) expect(value, cp.toString(16)).to.equal(nfkc);
    }
    expect(asciiDigit('\u0660')).to.equal('0');
    expect(asciiDigit('\u0669')).to.equal('9');
    expect(asciiDigit('\u096d')).to.equal('7');
    expect(normaliseDigits('ref \u0661\u0662\u0663')).to.equal('ref 123');
    expect(normaliseDigits('plain ascii 123')).to.equal('plain ascii 123');
  });
});
