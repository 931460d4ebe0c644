// Encryption in transit: the API serves HTTPS itself when given a certificate; Postgres TLS
// follows sslmode in DATABASE_URL for every connection we open.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { pgConnection } from '../../src/db/ssl.ts';
import { Runtime } from '../../src/runtime/runtime.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { selfSignedCertificate } from '../support/certificates.ts';

/** The TLS options of a connection config, or undefined when TLS is off. */
const tlsOf = (c: ReturnType<typeof pgConnection>) => (c.ssl === false ? undefined : c.ssl);

function httpsGet(
  url: string,
  ca: Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca }, (res) => {
      let body = '';
      const protocol = (res.socket as import('node:tls').TLSSocket).getProtocol() ?? '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, protocol }));
    });
    req.on('error', reject);
  });
}

describe('Encryption in transit', function () {
  this.timeout(60_000);
  let dir: string;
  let files: { cert: string; key: string };
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oms-tls-'));
    files = selfSignedCertificate(dir, 'server');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('HTTPS', () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ roles: ['api'], env: { OMS_TLS_CERT_FILE: files.cert, OMS_TLS_KEY_FILE: files.key } });
    });
    after(async () => app?.stop());

    it('serves HTTPS (TLS 1.2+) with the configured certificate, with HSTS', async () => {
      const port = app.runtime.address()!.port;
      const res = await httpsGet(`https://127.0.0.1:${port}/healthz`, readFileSync(files.cert));
      expect(res.status).to.equal(200);
      expect(res.protocol).to.match(/^TLSv1\.[23]$/);
      expect(res.headers['strict-transport-security']).to.match(/^max-age=/);
    });

    it('does not answer plain HTTP on the TLS port', async () => {
      const port = app.runtime.address()!.port;
      const outcome = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status,
        () => 'refused',
      );
      expect(outcome).to.not.equal(200);
    });

    it('refuses to start with a missing file, a non-PEM file, a key of another certificate, or only one of the two', async () => {
      const other = selfSignedCertificate(dir, 'other');
      const junk = path.join(dir, 'junk.pem');
      writeFileSync(junk, 'not a certificate');
      const base = { DATABASE_URL: app.db.url, OMS_REDIS_PREFIX: 'oms-tls-never', OMS_DEV_KEYS: '1' };
      for (const env of [
        { OMS_TLS_CERT_FILE: path.join(dir, 'missing.pem'), OMS_TLS_KEY_FILE: files.key },
        { OMS_TLS_CERT_FILE: junk, OMS_TLS_KEY_FILE: files.key },
        { OMS_TLS_CERT_FILE: files.cert, OMS_TLS_KEY_FILE: other.key },
      ]) {
        const err = await Runtime.create(loadConfig({ ...base, ...env })).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, JSON.stringify(env)).to.be.instanceOf(ConfigError);
      }
      expect(() => loadConfig({ OMS_DEV_KEYS: '1', OMS_TLS_CERT_FILE: files.cert })).to.throw(
        ConfigError,
        /set together/,
      );
    });
  });

  describe('Postgres TLS from sslmode', () => {
    const url = 'postgres://oms:pw@db.internal:5432/oms';
    it('no sslmode, disable and prefer → plain', () => {
      for (const u of [url, `${url}?sslmode=disable`, `${url}?sslmode=prefer`])
        expect(pgConnection(u).ssl, u).to.equal(false);
    });
    it('require → TLS without verification; verify-full → verified chain and host name', () => {
      expect(pgConnection(`${url}?sslmode=require`)).to.deep.equal({
        connectionString: url,
        ssl: { rejectUnauthorized: false },
      });
      const full = pgConnection(`${url}?sslmode=verify-full`);
      expect(full.ssl).to.deep.equal({ rejectUnauthorized: true });
      expect(full.connectionString).to.equal(url);
    });
    it('sslrootcert supplies the CA; with require it verifies the chain (verify-ca), not the name', () => {
      const full = pgConnection(`${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(files.cert)}`);
      expect(tlsOf(full)?.ca?.toString()).to.equal(readFileSync(files.cert, 'utf8'));
      expect(tlsOf(full)?.checkServerIdentity).to.equal(undefined);
      const ca = pgConnection(`${url}?sslmode=require&sslrootcert=${encodeURIComponent(files.cert)}`);
      expect(tlsOf(ca)?.rejectUnauthorized).to.equal(true);
      expect(tlsOf(ca)?.checkServerIdentity).to.be.a('function');
    });
    it('an unknown sslmode or a missing CA file is a ConfigError', () => {
      expect(() => pgConnection(`${url}?sslmode=sometimes`)).to.throw(ConfigError);
      expect(() => pgConnection(`${url}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem`)).to.throw(ConfigError);
    });
    it('a server without TLS refuses a client that requires it (pool and knex alike)', async () => {
      const { createPool } = await import('../../src/db/pool.ts');
      const { createKnex } = await import('../../src/db/knex.ts');
      const local = 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=require';
      const pool = createPool(local, { max: 1 });
      const knex = createKnex(local, { max: 1 });
      try {
        const pgErr = await pool.query('select 1').then(
          () => null,
          (e: Error) => e.message,
        );
        const knexErr = await knex.raw('select 1').then(
          () => null,
          (e: Error) => e.message,
        );
        // The local test server has ssl=off: proof both honour sslmode (they ask for TLS).
        const ssl = await client1().catch(() => 'off');
        if (ssl === 'on') return; // a local server with TLS on would accept; nothing to prove here
        expect(pgErr).to.match(/does not support SSL/i);
        expect(knexErr).to.match(/does not support SSL/i);
      } finally {
        await pool.end();
        await knex.destroy();
      }
    });
  });
});

async function client1(): Promise<string> {
  const { createPool } = await import('../../src/db/pool.ts');
  const pool = createPool('postgres://postgres@127.0.0.1:5432/postgres', { max: 1 });
  try {
    return (await pool.query<{ ssl: string }>('show ssl')).rows[0]!.ssl;
  } finally {
    await pool.end();
  }
}
