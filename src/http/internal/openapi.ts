import { SCOPES } from '../../auth/principal.ts';
import type { JsonSchema, RouteDef } from '../route.ts';
import { problemSchema } from '../schemas.ts';

/** Every error body: RFC 9457 problem details, defined once in components.schemas. */
const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/** OpenAPI 3.1 built from the very schemas ajv enforces. */
export function buildOpenApi(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema?.required as string[] | undefined) ?? []);
      for (const [name, s] of Object.entries(props)) {
        parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: s });
      }
    }
    if (r.method === 'POST' && r.scope) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', maxLength: 255 },
      });
    }
    if (['PATCH', 'PUT', 'DELETE'].includes(r.method) || (r.method === 'POST' && r.path.includes(':'))) {
      parameters.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } });
    }
    if (r.method === 'GET' && r.scope) {
      parameters.push({ name: 'Oms-Min-Position', in: 'header', required: false, schema: { type: 'string' } });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, resp] of Object.entries(r.responses)) {
      const content = resp.schema
        ? { [resp.contentType ?? 'application/json']: { schema: resp.schema } }
        : Number(status) >= 400
          ? problemContent
          : undefined;
      responses[status] = { description: resp.description, ...(content ? { content } : {}) };
    }
    responses.default = { description: 'An error', content: problemContent };
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      ...(r.scope === 'authenticated'
        ? { security: [{ bearer: [] }, { oauth2: [] }] }
        : r.scope
          ? { security: [{ bearer: [] }, { oauth2: [r.scope] }], 'x-required-scope': r.scope }
          : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      ...(r.formBody
        ? { requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: r.formBody } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'N&H Logistics OMS Open API',
      version,
      description: `Order management: customers, inventory, orders, shipments. Scopes: ${SCOPES.join(', ')}, or *.`,
    },
    servers: [{ url: '/' }],
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (oms.<key id>.<secret>) or an OAuth access token from POST /oauth/token',
        },
        oauth2: {
          type: 'oauth2',
          description: 'OAuth 2.0 client credentials; clients are created with `oms oauth-clients create`',
          flows: {
            clientCredentials: {
              tokenUrl: '/oauth/token',
              scopes: Object.fromEntries([...SCOPES, '*'].map((s) => [s, s === '*' ? 'every scope' : s])),
            },
          },
        },
      },
    },
    paths,
  };
}
