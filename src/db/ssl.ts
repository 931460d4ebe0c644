import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../config/config.ts';

export interface PgConnection {
  /** The URL without the TLS parameters (pg would otherwise apply its own reading of them). */
  connectionString: string;
  ssl: false | ConnectionOptions;
}

/**
 * libpq's sslmode in DATABASE_URL → pg's `ssl` option, the same for the pg pools and knex:
 *   disable / allow / prefer / absent → no TLS (pg cannot fall back, so "prefer" means plain);
 *   require → TLS, certificate not verified (libpq semantics when no root cert is given);
 *   verify-ca → TLS, chain verified against sslrootcert (or the system CAs), host name not checked;
 *   verify-full → TLS, chain and host name verified.
 * sslrootcert=<file> adds a CA file; with `require` it upgrades to verify-ca, as libpq does.
 */
export function pgConnection(databaseUrl: string): PgConnection {
  const url = new URL(databaseUrl);
  const mode = url.searchParams.get('sslmode') ?? 'disable';
  const rootCert = url.searchParams.get('sslrootcert');
  for (const p of ['sslmode', 'sslrootcert', 'ssl', 'sslcert', 'sslkey', 'uselibpqcompat']) url.searchParams.delete(p);
  const connectionString = url.toString();
  if (!['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'].includes(mode)) {
    throw new ConfigError(`invalid configuration:\n  DATABASE_URL: unknown sslmode ${JSON.stringify(mode)}`);
  }
  if (['disable', 'allow', 'prefer'].includes(mode)) return { connectionString, ssl: false };
  let ca: Buffer | undefined;
  if (rootCert) {
    try {
      ca = readFileSync(rootCert);
    } catch (err) {
      throw new ConfigError(
        `invalid configuration:\n  DATABASE_URL sslrootcert=${JSON.stringify(rootCert)}: ${(err as Error).message}`,
      );
    }
  }
  const effective = mode === 'require' && ca ? 'verify-ca' : mode;
  if (effective === 'require') return { connectionString, ssl: { rejectUnauthorized: false } };
  return {
    connectionString,
    ssl: {
      rejectUnauthorized: true,
      ...(ca ? { ca } : {}),
      // verify-ca: the chain is checked, the name is not.
      ...(effective === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    },
  };
}
