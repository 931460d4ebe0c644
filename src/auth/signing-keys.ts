import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { ConfigError } from '../config/config.ts';

// The keys that sign and verify OAuth access tokens. One current key signs; keys listed as
// previous only verify, so tokens issued just before a rotation stay valid until they expire.
// Only asymmetric keys: Ed25519 (alg EdDSA) or P-256 (alg ES256); the alg is fixed by the key.

export type TokenAlg = 'EdDSA' | 'ES256';

export interface VerificationKey {
  kid: string;
  alg: TokenAlg;
  publicKey: KeyObject;
  /** The public JWK as published at /.well-known/jwks.json. */
  jwk: JWK;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

export interface KeyRing {
  current: SigningKey;
  /** Current first, then the previous keys. */
  verification: VerificationKey[];
  /** No key was configured: one was generated for this process only. */
  ephemeral: boolean;
}

export interface KeySources {
  /** PEM or JWK JSON text, or null. */
  signingKey: string | null;
  signingKeyFile: string | null;
  previousKey: string | null;
  previousKeyFile: string | null;
}

/** A ConfigError, so `oms start` reports it like any other bad setting. */
export class KeyConfigError extends ConfigError {}

function algOf(key: KeyObject, what: string): TokenAlg {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new KeyConfigError(
    `${what}: only Ed25519 (EdDSA) or P-256 (ES256) keys are accepted, got ${key.asymmetricKeyType}`,
  );
}

function parse(
  text: string,
  what: string,
  needPrivate: boolean,
): { privateKey: KeyObject | null; publicKey: KeyObject } {
  const t = text.trim();
  let input: Parameters<typeof createPrivateKey>[0];
  try {
    input = t.startsWith('{') ? { key: JSON.parse(t), format: 'jwk' } : t;
  } catch {
    throw new KeyConfigError(`${what}: not valid JWK JSON`);
  }
  try {
    const privateKey = createPrivateKey(input as never);
    return { privateKey, publicKey: createPublicKey(privateKey) };
  } catch (err) {
    if (needPrivate)
      throw new KeyConfigError(
        `${what}: not a private key in PEM (PKCS#8/SEC1) or JWK form (${(err as Error).message})`,
      );
  }
  try {
    return { privateKey: null, publicKey: createPublicKey(input as never) };
  } catch (err) {
    throw new KeyConfigError(`${what}: not a key in PEM or JWK form (${(err as Error).message})`);
  }
}

async function describe(publicKey: KeyObject, what: string): Promise<VerificationKey> {
  const alg = algOf(publicKey, what);
  const base = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(base);
  return { kid, alg, publicKey, jwk: { ...base, kid, alg, use: 'sig' } };
}

function read(text: string | null, file: string | null, what: string): string | null {
  if (text && file) throw new KeyConfigError(`${what}: set either the key or the key file, not both`);
  if (file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new KeyConfigError(`${what}: cannot read ${file} (${(err as Error).message})`);
    }
  }
  return text;
}

export async function loadKeyRing(src: KeySources): Promise<KeyRing> {
  const currentText = read(src.signingKey, src.signingKeyFile, 'OMS_JWT_SIGNING_KEY');
  const previousText = read(src.previousKey, src.previousKeyFile, 'OMS_JWT_PREVIOUS_KEY');
  let ephemeral = false;
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  if (currentText) {
    ({ privateKey, publicKey } = parse(currentText, 'OMS_JWT_SIGNING_KEY', true) as {
      privateKey: KeyObject;
      publicKey: KeyObject;
    });
  } else {
    if (previousText) throw new KeyConfigError('OMS_JWT_PREVIOUS_KEY is set without OMS_JWT_SIGNING_KEY');
    ({ privateKey, publicKey } = generateKeyPairSync('ed25519'));
    ephemeral = true;
  }
  const current: SigningKey = { ...(await describe(publicKey, 'OMS_JWT_SIGNING_KEY')), privateKey };
  const verification: VerificationKey[] = [current];
  if (previousText) {
    const previous = await describe(
      parse(previousText, 'OMS_JWT_PREVIOUS_KEY', false).publicKey,
      'OMS_JWT_PREVIOUS_KEY',
    );
    if (previous.kid !== current.kid) verification.push(previous);
  }
  return { current, verification, ephemeral };
}
