import type { OAuthClients } from '../auth/oauth-clients.ts';
import { SCOPES, type Scope } from '../auth/principal.ts';
import type { TokenService } from '../auth/tokens.ts';
import { HttpProblem } from '../http/problem.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';

export interface OAuthDeps {
  oauthClients: OAuthClients;
  tokens: TokenService;
}

// RFC 6749 §5.2 errors, as problem+json that also carries the RFC's `error` / `error_description`.
const oauthError = (status: 400 | 401, error: string, description: string, headers?: Record<string, string>) =>
  new HttpProblem(status, error, description, {
    error,
    error_description: description,
    ...(headers ? { headers } : {}),
  });

const invalidClient = (basic: boolean) =>
  // RFC 6749 §5.2: a client that tried HTTP Basic gets a Basic challenge back.
  oauthError(
    401,
    'invalid_client',
    'client authentication failed',
    basic ? { 'WWW-Authenticate': 'Basic realm="oms", charset="UTF-8"' } : undefined,
  );

/** Client id and secret from HTTP Basic (RFC 6749 §2.3.1: each form-urlencoded first) or the body, not both. */
function clientCredentials(
  authorization: string,
  form: URLSearchParams,
): { id: string; secret: string; basic: boolean } {
  const inBody = form.has('client_id') || form.has('client_secret');
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (authorization && !m) throw invalidClient(/^Basic\b/i.test(authorization));
  if (m) {
    if (inBody)
      throw oauthError(
        400,
        'invalid_request',
        'use one client authentication method: HTTP Basic or client_id/client_secret in the body, not both',
      );
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient(true);
    try {
      return {
        id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
        secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
        basic: true,
      };
    } catch {
      throw invalidClient(true);
    }
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  if (!id || !secret) throw invalidClient(false);
  return { id, secret, basic: false };
}

export function oauthRoutes(deps: OAuthDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/oauth/token',
      operationId: 'issueAccessToken',
      summary: 'OAuth 2.0 client credentials grant (RFC 6749 §4.4): a short-lived access token',
      tag: 'OAuth',
      scope: null,
      formBody: {
        type: 'object',
        required: ['grant_type'],
        properties: {
          grant_type: { const: 'client_credentials' },
          scope: { type: 'string', description: 'space-separated subset of the client scopes; default: all of them' },
          client_id: { type: 'string', description: 'unless sent with HTTP Basic' },
          client_secret: { type: 'string', description: 'unless sent with HTTP Basic' },
        },
      },
      responses: {
        200: {
          description: 'An access token (a JWT) to send as Authorization: Bearer <token>',
          schema: {
            type: 'object',
            required: ['access_token', 'token_type', 'expires_in', 'scope'],
            properties: {
              access_token: { type: 'string' },
              token_type: { const: 'Bearer' },
              expires_in: { type: 'integer' },
              scope: { type: 'string' },
            },
          },
        },
        400: { description: 'invalid_request, invalid_scope, unsupported_grant_type' },
        401: { description: 'invalid_client' },
      },
      async handler({ ctx, body }) {
        const form = body instanceof URLSearchParams ? body : new URLSearchParams();
        // RFC 6749 §3.2: parameters must not repeat.
        for (const name of new Set(form.keys())) {
          if (form.getAll(name).length > 1)
            throw oauthError(400, 'invalid_request', `the ${name} parameter is repeated`);
        }
        const creds = clientCredentials(ctx.get('Authorization'), form);
        const grantType = form.get('grant_type');
        if (!grantType) throw oauthError(400, 'invalid_request', 'grant_type is required');
        const client = await deps.oauthClients.authenticate(creds.id, creds.secret);
        if (!client) {
          ctx.state.log.warn(
            {
              auth: {
                outcome: 'failed',
                kind: 'oauth_client',
                reason: 'token_request_bad_client',
                claimedCredentialId: creds.id.slice(0, 64),
              },
            },
            'authentication failed',
          );
          throw invalidClient(creds.basic);
        }
        if (grantType !== 'client_credentials')
          throw oauthError(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
        const allowed = client.scopes.has('*')
          ? new Set<string>([...SCOPES, '*'])
          : (client.scopes as ReadonlySet<string>);
        const requested = form.has('scope') ? (form.get('scope') ?? '').split(' ').filter(Boolean) : [...client.scopes];
        const refused = requested.filter((s) => !allowed.has(s));
        if (refused.length || requested.length === 0) {
          throw oauthError(
            400,
            'invalid_scope',
            refused.length ? `scope not granted to this client: ${refused.join(' ')}` : 'scope is empty',
          );
        }
        const scopes = [...new Set(requested)] as (Scope | '*')[];
        const issued = await deps.tokens.issue({ clientId: creds.id, tenant: client.tenant, scopes });
        ctx.state.log.info(
          {
            auth: {
              outcome: 'token_issued',
              kind: 'oauth_client',
              credentialId: creds.id,
              tenant: client.tenant,
              scopes,
              jti: issued.jti,
            },
          },
          'access token issued',
        );
        ctx.set('Pragma', 'no-cache');
        ctx.body = {
          access_token: issued.token,
          token_type: 'Bearer',
          expires_in: issued.expiresIn,
          scope: scopes.join(' '),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/.well-known/jwks.json',
      operationId: 'jwks',
      summary: 'The public keys that verify access tokens (current and, during a rotation, previous)',
      tag: 'OAuth',
      scope: null,
      responses: {
        200: {
          description: 'A JSON Web Key Set (RFC 7517)',
          schema: {
            type: 'object',
            required: ['keys'],
            properties: {
              keys: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['kty'],
                  properties: { kty: { type: 'string' }, kid: { type: 'string' } },
                },
              },
            },
          },
        },
      },
      async handler({ ctx }) {
        ctx.body = deps.tokens.jwks();
        // Public and cacheable, unlike everything else.
        ctx.set('Cache-Control', 'public, max-age=300');
      },
    }),
  ];
}
