import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters, type JWK, type JWTPayload } from 'jose';
import { SCOPES, type Scope } from './principal.ts';
import type { KeyRing, VerificationKey } from './signing-keys.ts';

// OAuth access tokens: JWTs after RFC 9068 (typ at+jwt, client_id, scope as a space-separated
// string) plus our `tenant` claim. Verification pins the algorithms to those of our own keys,
// selects the key by kid, and requires iss, aud, exp, iat and jti.

export interface TokenOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface TokenClaims {
  clientId: string;
  tenant: string;
  scopes: (Scope | '*')[];
  jti: string;
}

/** Why a token was refused: for logs, never echoed with the token. */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

const TYP = 'at+jwt';
const KNOWN = new Set<string>([...SCOPES, '*']);

export class TokenService {
  private readonly byKid: Map<string, VerificationKey>;
  private readonly algorithms: string[];

  private readonly ring: KeyRing;
  readonly options: TokenOptions;

  constructor(ring: KeyRing, options: TokenOptions) {
    this.ring = ring;
    this.options = options;
    this.byKid = new Map(ring.verification.map((k) => [k.kid, k]));
    this.algorithms = [...new Set(ring.verification.map((k) => k.alg))];
  }

  get ephemeral(): boolean {
    return this.ring.ephemeral;
  }

  /** The public keys, current first: GET /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: this.ring.verification.map((k) => k.jwk) };
  }

  async issue(c: {
    clientId: string;
    tenant: string;
    scopes: readonly (Scope | '*')[];
  }): Promise<{ token: string; expiresIn: number; jti: string }> {
    const key = this.ring.current;
    const jti = randomUUID();
    const token = await new SignJWT({ tenant: c.tenant, client_id: c.clientId, scope: c.scopes.join(' ') })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: TYP })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(c.clientId)
      .setIssuedAt()
      .setExpirationTime(`${this.options.ttlSeconds}s`)
      .setJti(jti)
      .sign(key.privateKey);
    return { token, expiresIn: this.options.ttlSeconds, jti };
  }

  /** The claims of a valid token, or TokenRejected with the reason. */
  async verify(token: string): Promise<TokenClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header: JWTHeaderParameters) => this.keyFor(header), {
        algorithms: this.algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: TYP,
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        clockTolerance: 5,
      }));
    } catch (err) {
      throw new TokenRejected(reasonOf(err));
    }
    const { sub, tenant, scope, jti } = payload as { sub?: unknown; tenant?: unknown; scope?: unknown; jti?: unknown };
    if (typeof sub !== 'string' || typeof tenant !== 'string' || typeof scope !== 'string' || typeof jti !== 'string') {
      throw new TokenRejected('claims_missing');
    }
    const scopes = scope.split(' ').filter(Boolean);
    if (scopes.some((s) => !KNOWN.has(s))) throw new TokenRejected('unknown_scope');
    return { clientId: sub, tenant, scopes: scopes as (Scope | '*')[], jti };
  }

  private keyFor(header: JWTHeaderParameters) {
    const key = header.kid ? this.byKid.get(header.kid) : undefined;
    if (!key) throw new TokenRejected('unknown_kid');
    // Each key verifies only with its own algorithm (no EdDSA key used for an ES256 header or the reverse).
    if (header.alg !== key.alg) throw new TokenRejected('alg_mismatch');
    return key.publicKey;
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof TokenRejected) return err.reason;
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim_${err.claim}_${err.reason}`;
  if (err instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'malformed';
  if (err instanceof errors.JOSENotSupported) return 'alg_not_supported';
  return 'invalid';
}
