import { expect } from 'chai';
import { cardDataPaths, containsCardNumber, luhnValid } from '../../src/security/card-data.ts';

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
    '4111  1111  1111  1111', // double spaces are not one number
    'dates 2026-11-28 and 2026-11-29',
    'buyer1764361234560-0@example.com', // a millisecond timestamp: no card network starts with 1
    '7992739871300', // Luhn-valid, but no card network starts with 7
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
  });
});
