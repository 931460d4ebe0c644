import { expect } from 'chai';
import { serverSettingWarnings } from '../../src/db/server-settings.ts';

describe('Postgres server settings the service depends on', () => {
  it('given autovacuum on with its statistics, then nothing to warn about', () => {
    expect(serverSettingWarnings({ autovacuum: 'on', trackCounts: 'on' })).to.deep.equal([]);
  });

  it('given autovacuum off, then the operator is told what it costs and what to do', () => {
    const [warning, ...more] = serverSettingWarnings({ autovacuum: 'off', trackCounts: 'on' });
    expect(more).to.deep.equal([]);
    expect(warning)
      .to.match(/autovacuum is off/)
      .and.to.match(/VACUUM ANALYZE/);
  });

  it('given statistics not collected, then autovacuum cannot work either: warned the same', () => {
    expect(serverSettingWarnings({ autovacuum: 'on', trackCounts: 'off' })).to.have.length(1);
  });
});
