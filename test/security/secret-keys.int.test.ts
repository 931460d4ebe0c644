import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  ConfigError,
  DEVELOPMENT_EMAIL_HASH_KEY,
  DEVELOPMENT_MASTER_KEY,
  loadConfig,
} from '../../src/config/config.ts';
import { createTestDatabase, REDIS_URL, type TestDatabase } from '../support/database.ts';
import { spawnOms, type OmsProcess } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';

// The development keys are in the public source: a deployment that runs on them encrypts personal
// data under a key everyone has. The service refuses to start on them unless OMS_DEV_KEYS says
// this is local development.
const realKeys = () => ({
  OMS_MASTER_KEY: randomBytes(32).toString('base64'),
  OMS_EMAIL_HASH_KEY: randomBytes(32).toString('base64'),
});

const configError = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${Object.keys(env).join(', ')}`);
};

describe('Secret keys: no start on missing or published keys without OMS_DEV_KEYS (int)', function () {
  this.timeout(60_000);

  describe('loadConfig', () => {
    it('refuses when OMS_MASTER_KEY and OMS_EMAIL_HASH_KEY are unset, naming both', () => {
      const message = configError({});
      expect(message).to.match(/OMS_MASTER_KEY is not set/);
      expect(message).to.match(/OMS_EMAIL_HASH_KEY is not set/);
      expect(message).to.include('openssl rand -base64 32');
      expect(message).to.include('OMS_DEV_KEYS=1');
    });

    it('refuses the development values set explicitly', () => {
      const message = configError({
        OMS_MASTER_KEY: DEVELOPMENT_MASTER_KEY,
        OMS_EMAIL_HASH_KEY: DEVELOPMENT_EMAIL_HASH_KEY,
      });
      expect(message).to.match(/OMS_MASTER_KEY is the development key published in the source/);
      expect(message).to.match(/OMS_EMAIL_HASH_KEY is the development key published in the source/);
      // One real key does not excuse the other.
      expect(configError({ ...realKeys(), OMS_EMAIL_HASH_KEY: DEVELOPMENT_EMAIL_HASH_KEY })).to.match(
        /OMS_EMAIL_HASH_KEY is the development key/,
      );
    });

    it('takes real keys, and the development key as OMS_MASTER_KEY_PREVIOUS (rotating away from it)', () => {
      const keys = realKeys();
      const config = loadConfig({ ...keys, OMS_MASTER_KEY_PREVIOUS: DEVELOPMENT_MASTER_KEY });
      expect(config.devKeys).to.equal(false);
      expect(config.masterKey.current.toString('base64')).to.equal(keys.OMS_MASTER_KEY);
      expect(config.masterKey.previous?.toString('base64')).to.equal(DEVELOPMENT_MASTER_KEY);
      expect(config.emailHashKey).to.equal(keys.OMS_EMAIL_HASH_KEY);
    });

    it('with OMS_DEV_KEYS=1 the development keys stand in for unset ones', () => {
      const config = loadConfig({ OMS_DEV_KEYS: '1' });
      expect(config.devKeys).to.equal(true);
      expect(config.masterKey.current.toString('base64')).to.equal(DEVELOPMENT_MASTER_KEY);
      expect(config.emailHashKey).to.equal(DEVELOPMENT_EMAIL_HASH_KEY);
    });
  });

  describe('config errors name the variable and the rule, never the value', () => {
    it('a malformed key, a bad port or role: the value is not in the message', () => {
      const secret = 'not-base64-but-a-real-secret-that-must-stay-out-of-logs';
      const message = configError({
        OMS_DEV_KEYS: '1',
        OMS_MASTER_KEY: secret,
        OMS_MASTER_KEY_PREVIOUS: `${secret}-previous`,
        OMS_EMAIL_HASH_KEY: 'short-secret',
        OMS_ROLE: 'admin-secret-role',
      });
      for (const value of [secret, 'short-secret', 'admin-secret-role']) expect(message).to.not.include(value);
      expect(message).to.match(/OMS_MASTER_KEY: must be 32 random bytes in base64/);
      expect(message).to.match(/OMS_MASTER_KEY_PREVIOUS: must be 32 random bytes in base64/);
      expect(message).to.match(/OMS_EMAIL_HASH_KEY: must be at least 16 characters/);
      expect(message).to.match(/OMS_ROLE: must be equal to one of the allowed values/);
      const port = configError({ OMS_DEV_KEYS: '1', PORT: '99999' });
      expect(port).to.match(/PORT: must be at most 65535/);
      expect(port).to.not.include('99999');
    });
  });

  describe('oms start (NODE_ENV=production, as in the image)', () => {
    let db: TestDatabase;
    const procs: OmsProcess[] = [];
    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => {
      for (const p of procs) p.child.kill('SIGKILL');
      await db?.drop();
    });

    const start = (env: Record<string, string>) => {
      const p = spawnOms(['start', '--role', 'api'], {
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        REDIS_URL,
        OMS_REDIS_PREFIX: `oms-test-keys-${randomBytes(4).toString('hex')}`,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        // Nothing inherited from the shell running the tests: empty is unset.
        OMS_DEV_KEYS: '',
        OMS_MASTER_KEY: '',
        OMS_EMAIL_HASH_KEY: '',
        ...env,
      });
      procs.push(p);
      return p;
    };

    it('exits 2 with a message naming the missing keys, before listening', async () => {
      const p = start({});
      expect(await p.exited).to.equal(2);
      expect(p.output()).to.match(/OMS_MASTER_KEY is not set/);
      expect(p.output()).to.match(/OMS_EMAIL_HASH_KEY is not set/);
      expect(p.output()).to.not.include('api listening');
    });

    it('exits 2 on the published development keys', async () => {
      const p = start({ OMS_MASTER_KEY: DEVELOPMENT_MASTER_KEY, OMS_EMAIL_HASH_KEY: DEVELOPMENT_EMAIL_HASH_KEY });
      expect(await p.exited).to.equal(2);
      expect(p.output()).to.match(/OMS_MASTER_KEY is the development key published in the source/);
    });

    it('operator commands that never touch personal data run without the keys (oms api-keys create)', async () => {
      const p = spawnOms(['api-keys', 'create', '--tenant', 'keyless', '--scopes', '*', '--json'], {
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        OMS_DEV_KEYS: '',
        OMS_MASTER_KEY: '',
        OMS_EMAIL_HASH_KEY: '',
      });
      procs.push(p);
      expect(await p.exited, p.output()).to.equal(0);
      expect(JSON.parse(p.stdout()).key).to.match(/^oms\./);
    });

    for (const [label, env] of [
      ['real keys', realKeys()],
      ['OMS_DEV_KEYS=1 (with a warning)', { OMS_DEV_KEYS: '1' }],
    ] as const) {
      it(`starts with ${label}`, async () => {
        const p = start(env);
        const port = await waitFor(
          async () => /"port":(\d+)[^\n]*api listening/.exec(p.output())?.[1] ?? p.child.exitCode ?? null,
          (v) => typeof v === 'string' || typeof v === 'number',
          { timeoutMs: 40_000, what: 'the api to listen' },
        );
        expect(port, p.output()).to.be.a('string');
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status, p.output()).to.equal(200);
        expect(/OMS_DEV_KEYS is on/.test(p.output())).to.equal('OMS_DEV_KEYS' in env);
        p.child.kill('SIGTERM');
        expect(await p.exited).to.equal(0);
      });
    }
  });
});
