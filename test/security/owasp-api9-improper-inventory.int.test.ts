// OWASP API9:2023 Improper Inventory Management: what the server serves and what /openapi.json
// documents are the same set of operations; everything else is 404.
import { Authenticator } from '../../src/auth/authenticator.ts';
import { expect } from 'chai';
import { buildRouter } from '../../src/http/internal/router.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('OWASP API9 improper inventory', function () {
  this.timeout(30_000);
  let app: TestApp;
  let doc: {
    openapi: string;
    paths: Record<string, Record<string, { 'x-required-scope'?: string; requestBody?: any }>>;
  };
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
    doc = (await client(app.baseUrl).get('/openapi.json')).body;
  });
  after(async () => app?.stop());

  const documented = () =>
    Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort();

  it('/openapi.json is OpenAPI 3.1, with the ajv schemas and scopes', () => {
    expect(doc.openapi).to.equal('3.1.0');
    const create = doc.paths['/v1/customers']!.post!;
    expect(create.requestBody.content['application/json'].schema.additionalProperties).to.equal(false);
    expect(create['x-required-scope']).to.equal('customers:write');
  });

  it('every operation the router mounts is documented, and every documented operation is mounted', () => {
    const router = buildRouter(app.runtime.routes(), {
      pool: app.runtime.services.pool,
      authenticator: new Authenticator(
        app.runtime.services.apiKeys,
        app.runtime.services.oauthClients,
        app.runtime.services.tokens,
      ),
      tenantSettings: app.runtime.services.tenantSettings,
      projectionNames: () => [],
      rateLimiter: null,
    });
    const mounted = router.stack
      .flatMap((layer) =>
        layer.methods
          .filter((m) => m !== 'HEAD')
          .map((m) => `${m} ${String(layer.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
      )
      .sort();
    expect(mounted).to.deep.equal(documented());
    expect(mounted.length).to.be.greaterThan(20);
  });

  it('over HTTP, every documented operation is served (never route_not_found); those with a scope need a key', async () => {
    const anon = client(app.baseUrl);
    for (const op of documented()) {
      const [method, path] = op.split(' ') as [string, string];
      const concrete = path.replace(/\{[^}]+\}/g, 'x');
      const res = await anon.call(method, concrete, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(res.body?.code, op).to.not.equal('route_not_found');
      if (doc.paths[path]![method.toLowerCase()]!['x-required-scope']) expect(res.status, op).to.equal(401);
    }
  });

  it('unknown routes, other versions and unlisted methods are 404 or 405 problems', async () => {
    const api = client(app.baseUrl, (await app.key(['*'])).key);
    for (const path of [
      '/v2/customers',
      '/v0/orders',
      '/v1/admin',
      '/admin',
      '/v1/customers/../api-keys',
      '/.env',
      '/v1/internal/events',
      '/debug/vars',
      '/v1',
    ]) {
      expectProblem(await api.get(path), 404, 'route_not_found');
    }
    expectProblem(await api.call('PUT', '/v1/customers'), 405, 'method_not_allowed');
    expectProblem(await api.call('PATCH', '/v1/customers', {}), 405, 'method_not_allowed');
  });
});
