import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  ensureServices,
  findPostgresBinaries,
  findRedisServer,
  postgresAnswers,
  redisAnswers,
} from '../../tools/services/index.ts';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

async function selectOne(url: string): Promise<{ one: number; db: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const r = await client.query<{ one: number; db: string }>('select 1 as one, current_database() as db');
    return r.rows[0]!;
  } finally {
    await client.end();
  }
}

async function ping(url: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return await redis.ping();
  } finally {
    redis.disconnect();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); // an exited daemon may linger as a zombie
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

describe('ensureServices: bring up Postgres and Redis when they do not answer', function () {
  this.timeout(120_000);

  it('step 1: returns reachable URLs unchanged and starts nothing', async () => {
    const lines: string[] = [];
    const s = await ensureServices({
      databaseUrl: DATABASE_URL,
      redisUrl: REDIS_URL,
      dataDir: '/nonexistent',
      log: (m) => lines.push(m),
    });
    expect(s.databaseUrl).to.equal(DATABASE_URL);
    expect(s.redisUrl).to.equal(REDIS_URL);
    expect(s.started).to.deep.equal([]);
    expect(lines.join('\n')).to.match(/answers.*using it/);
    await s.stop();
    expect(await postgresAnswers(DATABASE_URL)).to.equal(true);
    expect(await redisAnswers(REDIS_URL)).to.equal(true);
  });

  it('step 1: a reachable server whose database is missing is used, and the database created', async () => {
    const name = `oms_ensure_${randomBytes(4).toString('hex')}`;
    const u = new URL(DATABASE_URL);
    u.pathname = `/${name}`;
    const url = u.toString();
    try {
      const s = await ensureServices({ databaseUrl: url, redisUrl: REDIS_URL, dataDir: '/nonexistent' });
      expect(s.databaseUrl).to.equal(url);
      expect(s.started).to.deep.equal([]);
      expect((await selectOne(url)).db).to.equal(name);
    } finally {
      u.pathname = '/postgres';
      const admin = new pg.Client({ connectionString: u.toString() });
      await admin.connect();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  describe('step 3: local binaries', () => {
    let dataDir = '';

    before(function () {
      if (findPostgresBinaries().length === 0 || !findRedisServer()) this.skip(); // nothing to start here
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'oms-services-'));
    });

    after(() => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    const unreachable = { databaseUrl: 'postgres://postgres@127.0.0.1:1/x', redisUrl: 'redis://127.0.0.1:2' };

    it('starts private instances on free ports that answer, and stop() stops them', async () => {
      const lines: string[] = [];
      const t0 = Date.now();
      const s = await ensureServices({
        ...unreachable,
        dataDir,
        docker: false,
        install: false,
        log: (m) => lines.push(m),
      });
      const coldMs = Date.now() - t0;
      try {
        expect(s.started).to.have.length(2);
        expect(s.started[0]).to.match(/^postgres \(local binary, port \d+\)$/);
        expect(s.started[1]).to.match(/^redis \(local binary, port \d+\)$/);
        const pgUrl = new URL(s.databaseUrl);
        expect(pgUrl.hostname).to.equal('127.0.0.1');
        expect(pgUrl.port).to.not.equal('1');
        expect(pgUrl.pathname).to.equal('/oms');
        expect(new URL(s.redisUrl).port).to.not.equal('2');
        expect(await selectOne(s.databaseUrl)).to.deep.equal({ one: 1, db: 'oms' });
        expect(await ping(s.redisUrl)).to.equal('PONG');
        expect(lines.some((l) => l.includes('initialising'))).to.equal(true);
        expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).to.equal(true);
      } finally {
        const pgPid = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
        const redisPid = Number(readFileSync(path.join(dataDir, 'redis', 'redis.pid'), 'utf8').trim());
        await s.stop();
        expect(await postgresAnswers(s.databaseUrl)).to.equal(false);
        expect(await redisAnswers(s.redisUrl)).to.equal(false);
        expect(alive(pgPid), 'postmaster still running').to.equal(false);
        expect(alive(redisPid), 'redis-server still running').to.equal(false);
        expect(readdirSync(path.join(dataDir, 'leases', 'postgres'))).to.deep.equal([]);
      }
      expect(coldMs).to.be.lessThan(60_000);
    });

    it('reuses the initialised data dir on the next run (no initdb) and keeps its data', async () => {
      const first = await ensureServices({ ...unreachable, dataDir, docker: false, install: false });
      try {
        await (async () => {
          const c = new pg.Client({ connectionString: first.databaseUrl });
          await c.connect();
          await c.query('create table kept (x int); insert into kept values (7)');
          await c.end();
        })();
      } finally {
        await first.stop();
      }
      const lines: string[] = [];
      const second = await ensureServices({
        ...unreachable,
        dataDir,
        docker: false,
        install: false,
        log: (m) => lines.push(m),
      });
      try {
        expect(lines.some((l) => l.includes('initialising'))).to.equal(false);
        expect(second.started).to.have.length(2);
        const c = new pg.Client({ connectionString: second.databaseUrl });
        await c.connect();
        const r = await c.query<{ x: number }>('select x from kept');
        await c.end();
        expect(r.rows).to.deep.equal([{ x: 7 }]);
      } finally {
        await second.stop();
      }
      expect(await postgresAnswers(second.databaseUrl)).to.equal(false);
    });
  });
});
