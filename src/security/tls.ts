import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config/config.ts';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads and checks the API's certificate and key at start: a missing file, a non-PEM file or a
 * key that does not belong to the certificate is a ConfigError, not a broken first handshake.
 */
export function loadTlsMaterial(files: { certFile: string; keyFile: string }): TlsMaterial {
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  ${name}=${JSON.stringify(file)}: ${(err as Error).message}`);
    }
  };
  const cert = read('OMS_TLS_CERT_FILE', files.certFile);
  const key = read('OMS_TLS_KEY_FILE', files.keyFile);
  try {
    createSecureContext({ cert, key }); // throws on bad PEM or a key/cert mismatch
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  OMS_TLS_CERT_FILE/OMS_TLS_KEY_FILE: ${(err as Error).message}`);
  }
  return { cert, key };
}
