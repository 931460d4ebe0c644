// Postgres TLS end to end: a throwaway server with ssl=on (from the local binaries), reached by
// our pg pool and knex with sslmode=verify-full and a CA file.
import { chmodSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createKnex } from '../../src/db/knex.ts';
import { createPool } from '../../src/db/pool.ts';
import { selfSignedCertificate } from '../support/certificates.ts';
import { createPrivatePostgres, type PrivatePostgres } from '../support/private-services.ts';

describe('Postgres TLS end to end (throwaway server with ssl=on)', function () {
  this.timeout(120_000);
  let server: PrivatePostgres | null = null;
  let ca: string;
  let otherCa: string;

  before(async function () {
    server = await createPrivatePostgres({
      serverOptions: () => '-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key',
      prepare: ({ dir, data }, own) => {
        const made = selfSignedCertificate(dir, 'server');
        ca = made.cert; // self-signed: the certificate is its own CA
        otherCa = selfSignedCertificate(dir, 'other').cert;
        for (const f of ['crt', 'key']) {
          const target = path.join(data, `server.${f}`);
          copyFileSync(path.join(dir, `server.${f}`), target);
          own(target);
          chmodSync(target, 0o600);
        }
      },
    });
    if (!server) return this.skip(); // no local server binaries: the sslmode mapping is still tested in transport
  });

  after(() => server?.close());

  const url = (query: string) => server!.url('postgres', query);
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
      const err = await pool.query('select 1').then(
        () => null,
        (e: Error) => e.message,
      );
      expect(err).to.match(/self[- ]signed|certificate/i);
    } finally {
      await pool.end();
    }
  });
});
