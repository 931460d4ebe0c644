// `oms keys rewrap` after a master-key rotation: every data key wrapped by the previous master key
// is re-wrapped by the current one (the data keys themselves, and so every ciphertext, unchanged).
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { PiiKeys } from '../../src/pii/keys.ts';
import { createTestDatabase, REDIS_URL, type TestDatabase } from '../support/database.ts';
import { spawnOms } from '../support/process.ts';

describe('oms keys rewrap (real CLI)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it('moves every data key to the current master key; the old one is no longer needed', async () => {
    const oldMaster = randomBytes(32);
    const newMaster = randomBytes(32);
    const before = new PiiKeys(db.pool, { current: oldMaster, previous: null });
    const a = await before.keyForWriting('acme', 'cus_a');
    const b = await before.keyForWriting('globex', 'cus_b');

    const p = spawnOms(['keys', 'rewrap', '--json'], {
      DATABASE_URL: db.url,
      REDIS_URL,
      LOG_LEVEL: 'warn',
      OMS_MASTER_KEY: newMaster.toString('base64'),
      OMS_MASTER_KEY_PREVIOUS: oldMaster.toString('base64'),
    });
    expect(await p.exited, p.output()).to.equal(0);
    expect(JSON.parse(p.stdout().trim())).to.deep.equal({ rewrapped: 2 });

    // Only the new master key from now on: the same data keys come back.
    const after = new PiiKeys(db.pool, { current: newMaster, previous: null });
    expect((await after.keysFor('acme', ['cus_a'])).get('cus_a')).to.deep.equal(a);
    expect((await after.keysFor('globex', ['cus_b'])).get('cus_b')).to.deep.equal(b);
    const masters = (await db.pool.query('select distinct master_key_id from pii_keys')).rows;
    expect(masters).to.have.length(1);
  });
});
