import { expect } from 'chai';
import { isId, newId } from '../../src/ids.ts';

describe('Server-made ids', () => {
  it('given 20,000 new ids, then each is well-formed, unique, and sorts in the order it was made', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('ord'));
    expect(ids.every((id) => isId('ord', id))).to.equal(true);
    expect(new Set(ids).size).to.equal(ids.length);
    expect([...ids].sort()).to.deep.equal(ids);
  });

  it('given many ids made in different milliseconds, then every Crockford character shows up in the random part', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) for (const ch of newId('req').slice(14)) seen.add(ch);
    expect(seen.size).to.equal(32);
  });

  it('tells a prefix from another and refuses upper case or wrong lengths', () => {
    const id = newId('cus');
    expect(isId('cus', id)).to.equal(true);
    expect(isId('ord', id)).to.equal(false);
    expect(isId('cus', id.toUpperCase())).to.equal(false);
    expect(isId('cus', `${id}0`)).to.equal(false);
  });
});
