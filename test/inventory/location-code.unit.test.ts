// Location codes as people write them: one rule (locationCode, lower case) for every entry point, so
// `HN-01` and `hn-01` are one inventory stream and one read-model row. Over HTTP:
// test/inventory/inputs.int.test.ts.
import { expect } from 'chai';
import { adjustStock, countStock } from '../../src/inventory/commands.ts';
import { LOCATION_PATTERN } from '../../src/inventory/schemas.ts';
import { DEFAULT_LOCATION, inventoryStream, locationCode } from '../../src/inventory/streams.ts';
import { given, TENANT } from '../support/command-spec.ts';
import { stock } from '../support/given-events.ts';

describe('Location codes', () => {
  it('are case-insensitive: folded to lower case; lower-case codes and "default" stay as they are', () => {
    expect(locationCode('HN-01')).to.equal('hn-01');
    expect(locationCode('Hn-01')).to.equal('hn-01');
    expect(locationCode('hn-01')).to.equal('hn-01');
    expect(locationCode('east_2')).to.equal('east_2');
    expect(locationCode(DEFAULT_LOCATION)).to.equal('default');
    expect(locationCode('DEFAULT')).to.equal('default');
  });

  it('match letters of either case, digits, "_" and "-" (≤ 32, starting with a letter or digit)', () => {
    const pattern = new RegExp(LOCATION_PATTERN);
    for (const ok of ['HN-01', 'hn-01', 'default', 'A', '9_b-C', 'X'.repeat(32)]) expect(ok).to.match(pattern);
    for (const bad of ['', 'Main Hall', '-x', '_x', 'hn@01', 'hn.01', 'X'.repeat(33), 'ÄN-01', 'hn-01\n'])
      expect(bad).to.not.match(pattern);
  });

  it('given 5 received at hn-01, when 2 are received at HN-01, then both are in the hn-01 stream with location hn-01', async () => {
    const r = await given(stock('A', 'hn-01').received(5).history())
      .when((h) =>
        adjustStock(h.deps, h.ctx, { sku: 'A', location: 'HN-01', delta: 2, reason: 'received', reference: null }),
      )
      .then({
        [inventoryStream(TENANT, 'A', 'hn-01')]: [
          {
            type: 'StockAdjusted',
            data: {
              sku: 'A',
              location: 'hn-01',
              delta: 2,
              reason: 'received',
              reference: null,
              onHandDelta: 2,
              reservedDelta: 0,
              onHand: 7,
              reserved: 0,
              occurredAt: '2026-11-28T10:00:00.000Z',
            },
          },
        ],
      });
    expect(r.level).to.include({ location: 'hn-01', onHand: 7 });
  });

  it('given 5 received at hn-01, when Hn-01 is counted at 3, then the count lands in the hn-01 stream', async () => {
    const r = await given(stock('A', 'hn-01').received(5).history())
      .when((h) => countStock(h.deps, h.ctx, { sku: 'A', location: 'Hn-01', onHand: 3 }))
      .then({ [inventoryStream(TENANT, 'A', 'hn-01')]: [{ type: 'StockCounted' }] });
    expect(r.level).to.include({ location: 'hn-01', onHand: 3, version: 2 });
  });
});
