import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ensureServices, postgresAnswers, redisAnswers } from '../../src/infra/ensure-services.ts';
import { BASE_DATABASE_URL, REDIS_URL } from '../support/database.ts';

describe('ensureServices: bring up Postgres and Redis when they do not answer', function () {
  this.timeout(120_000);

  it('returns reachable URLs unchanged and starts nothing', async () => {
    const s = await ensureServices({ databaseUrl: BASE_DATABASE_URL, redisUrl: REDIS_URL, dataDir: '/nonexistent' });
    expect(s.databaseUrl).to.equal(BASE_DATABASE_URL);
    expect(s.redisUrl).to.equal(REDIS_URL);
    expect(s.started).to.deep.equal([]);
  });

  it('starts private local instances on free ports when nothing answers, and stop() stops them', async function () {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'oms-services-'));
    try {
      const s = await ensureServices({
        databaseUrl: 'postgres://postgres@127.0.0.1:1/postgres',
        redisUrl: 'redis://127.0.0.1:2',
        dataDir,
      });
      if (s.started.some((x) => x.includes('docker'))) this.skip(); // a Docker engine took over
      expect(s.started).to.have.length(2);
      expect(new URL(s.databaseUrl).port).to.not.equal('1');
      expect(await postgresAnswers(s.databaseUrl)).to.equal(true);
      expect(await redisAnswers(s.redisUrl)).to.equal(true);
      await s.stop();
      expect(await postgresAnswers(s.databaseUrl)).to.equal(false);
      expect(await redisAnswers(s.redisUrl)).to.equal(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
