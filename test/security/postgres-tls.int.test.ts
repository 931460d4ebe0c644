// Postgres TLS end to end: a throwaway server with ssl=on (from the local binaries), reached by
// our pg pool and knex with sslmode=verify-full and a CA file.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createKnex } from '../../src/db/knex.ts';
import { createPool } from '../../src/db/pool.ts';
import { findPostgresBinaries } from '../../src/infra/ensure-services.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function certificate(dir: string, name: string) {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

describe('Postgres TLS end to end (throwaway server with ssl=on)', function () {
  this.timeout(120_000);
  let dir: string;
  let data: string;
  let port: number;
  let pgCtl: string;
  let as: { uid: number; gid: number } | undefined;
  let ca: string;
  let otherCa: string;
  let started = false;

  before(async function () {
    const bin = findPostgresBinaries()[0];
    if (!bin) return this.skip(); // no local server binaries: the sslmode mapping is still tested in transport
    pgCtl = path.join(bin.dir, 'pg_ctl');
    if (process.getuid?.() === 0) {
      const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (uid.status !== 0) return this.skip(); // postgres refuses root and there is no user to run it as
      as = { uid: Number(uid.stdout), gid: Number(gid.stdout) };
    }
    dir = mkdtempSync(path.join(tmpdir(), 'oms-pgtls-'));
    data = path.join(dir, 'data');
    const server = certificate(dir, 'server');
    ca = server.cert; // self-signed: the certificate is its own CA
    otherCa = certificate(dir, 'other').cert;
    if (as) chownSync(dir, as.uid, as.gid);
    const opts = { stdio: 'ignore' as const, cwd: dir, ...(as ?? {}) };
    execFileSync(path.join(bin.dir, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], opts);
    for (const f of ['crt', 'key']) {
      const target = path.join(data, `server.${f}`);
      copyFileSync(path.join(dir, `server.${f}`), target);
      if (as) chownSync(target, as.uid, as.gid);
      chmodSync(target, 0o600);
    }
    port = await freePort();
    const serverOpts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='${dir}' -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key -c fsync=off`;
    execFileSync(pgCtl, ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', serverOpts, 'start'], opts);
    started = true;
  });

  after(() => {
    if (started) spawnSync(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore', cwd: dir, ...(as ?? {}) });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const url = (query: string) => `postgres://postgres@127.0.0.1:${port}/postgres?${query}`;
  const SSL_IN_USE = 'select ssl, version from pg_stat_ssl where pid = pg_backend_pid()';

  it('verify-full with the server CA: the pool and knex connections are encrypted', async () => {
    const u = url(`sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`);
    const pool = createPool(u, { max: 1 });
    const knex = createKnex(u, { max: 1 });
    try {
      const viaPool = (await pool.query<{ ssl: boolean; version: string }>(SSL_IN_USE)).rows[0]!;
      expect(viaPool.ssl).to.equal(true);
      expect(viaPool.version).to.match(/^TLSv1\.[23]$/);
      const viaKnex = (await knex.raw(SSL_IN_USE)).rows[0];
      expect(viaKnex.ssl).to.equal(true);
    } finally {
      await pool.end();
      await knex.destroy();
    }
  });

  it('require without a CA encrypts without checking the certificate; no sslmode stays plain', async () => {
    const tls = createPool(url('sslmode=require'), { max: 1 });
    const plain = createPool(url(''), { max: 1 });
    try {
      expect((await tls.query(SSL_IN_USE)).rows[0].ssl).to.equal(true);
      expect((await plain.query(SSL_IN_USE)).rows[0].ssl).to.equal(false);
    } finally {
      await tls.end();
      await plain.end();
    }
  });

  it('verify-full against another CA is refused (no silent downgrade)', async () => {
    const pool = createPool(url(`sslmode=verify-full&sslrootcert=${encodeURIComponent(otherCa)}`), { max: 1 });
    try {
      const err = await pool.query('select 1').then(() => null, (e: Error) => e.message);
      expect(err).to.match(/self[- ]signed|certificate/i);
    } finally {
      await pool.end();
    }
  });
});
