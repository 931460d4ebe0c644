import { generateKeyPairSync } from 'node:crypto';
import { base64url, SignJWT } from 'jose';

// Hostile tokens for the authentication tests: each one is refused for exactly one reason.

export function pemKeyPair(kind: 'ed25519' | 'p256' = 'ed25519'): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } =
    kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface Claims {
  iss: string;
  aud: string;
  sub: string;
  tenant: string;
  scope: string;
  client_id?: string;
  exp?: number;
  iat?: number;
  jti?: string;
}

/** A JWT with header { alg: none } and no signature. */
export function unsignedToken(kid: string, claims: Claims): string {
  const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: 'none', typ: 'at+jwt', kid })}.${enc({ iat: now, exp: now + 600, jti: 'none-1', ...claims })}.`;
}

/** HS256 "signed" with the server's public key as the HMAC secret (the classic key-confusion attack). */
export async function hs256WithPublicKey(kid: string, publicPem: string, claims: Claims): Promise<string> {
  return sign(new TextEncoder().encode(publicPem), 'HS256', kid, claims);
}

export async function sign(
  key: Parameters<SignJWT['sign']>[0],
  alg: string,
  kid: string,
  claims: Claims,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 600)
    .setJti(claims.jti ?? `test-${now}-${Math.random()}`)
    .sign(key);
}
