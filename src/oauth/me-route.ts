import { SCOPES, hasScope } from '../auth/principal.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';

const meSchema = {
  type: 'object',
  required: ['tenant', 'credential', 'scopes', 'effectiveScopes'],
  additionalProperties: false,
  properties: {
    tenant: { type: 'string' },
    credential: {
      type: 'object',
      required: ['kind', 'id'],
      additionalProperties: false,
      properties: { kind: { enum: ['api_key', 'oauth_client'] }, id: { type: 'string' } },
    },
    /** As granted: may hold `*`. */
    scopes: { type: 'array', items: { type: 'string' } },
    /** Every scope the credential passes, `*` spelled out. */
    effectiveScopes: { type: 'array', items: { enum: [...SCOPES] } },
  },
} as const;

/**
 * `GET /v1/me`: who the caller is and what it may do. Any valid credential may ask (it tells a
 * client only about itself), so a client such as the console can hide what the key cannot do.
 */
export function meRoute(): RouteDef {
  return defineRoute({
    method: 'GET',
    path: '/v1/me',
    operationId: 'getMe',
    summary: 'The calling credential: its tenant, kind, id and scopes',
    tag: 'OAuth',
    scope: 'authenticated',
    responses: { 200: { description: 'The calling credential', schema: meSchema } },
    async handler({ ctx }) {
      const p = ctx.state.principal!;
      ctx.body = {
        tenant: p.tenant,
        credential: { kind: p.kind, id: p.id },
        scopes: [...p.scopes].sort(),
        effectiveScopes: SCOPES.filter((s) => hasScope(p, s)),
      };
    },
  });
}
