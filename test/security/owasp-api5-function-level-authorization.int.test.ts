import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { SCOPES, type Scope } from '../../src/auth/principal.ts';
import type { RouteDef } from '../../src/http/route.ts';
import { routeScopeTable, tableIn } from '../../src/http/internal/scope-table.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';
import { requestToken } from '../support/oauth.ts';

// OWASP API5:2023 Broken Function Level Authorization: for EVERY scoped route of the router, a
// credential holding every scope but the one it needs is refused with 403 — as an API key and as
// an OAuth access token — while one holding just that scope gets past authorization.

const PUBLIC_ROUTES = [
  'GET /.well-known/jwks.json',
  'GET /healthz',
  'GET /metrics',
  'GET /openapi.json',
  'GET /readyz',
  'POST /oauth/token',
];

const fill = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => `dummy_${name}`);

describe('OWASP API5:2023 Broken Function Level Authorization', function () {
  this.timeout(120_000);
  let app: TestApp;
  let routes: RouteDef[];
  const credentials = new Map<string, string>();

  before(async () => {
    app = await startTestApp({ roles: ['api'] });
    routes = app.runtime.routes();
  });
  after(async () => app?.stop());

  /** A bearer credential of the given kind holding exactly `scopes` (cached per combination). */
  async function credential(kind: 'api_key' | 'oauth_client', scopes: Scope[]): Promise<string> {
    const cacheKey = `${kind}:${scopes.join(',')}`;
    let c = credentials.get(cacheKey);
    if (!c) {
      if (kind === 'api_key') {
        c = (await app.key(scopes, 'tenant-fla')).key;
      } else {
        const created = await app.runtime.services.oauthClients.create('tenant-fla', scopes);
        const t = await requestToken(app.baseUrl, { id: created.id, secret: created.clientSecret });
        expect(t.status, t.text).to.equal(200);
        c = t.body.access_token as string;
      }
      credentials.set(cacheKey, c);
    }
    return c;
  }

  const call = (route: RouteDef, bearer: string) =>
    client(app.baseUrl, bearer).call(
      route.method,
      fill(route.path),
      route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
    );

  it('every route is either scoped or one of the known public ones', () => {
    const unscoped = routes
      .filter((r) => !r.scope)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(unscoped).to.deep.equal(PUBLIC_ROUTES);
    expect(routes.filter((r) => r.scope).length).to.be.greaterThan(25);
  });

  for (const kind of ['api_key', 'oauth_client'] as const) {
    it(`${kind}: every scoped route → 403 insufficient_scope without its scope, past authorization with only it`, async () => {
      for (const route of routes.filter((r) => r.scope && r.scope !== 'authenticated')) {
        const needed = route.scope as Scope;
        const without = await call(
          route,
          await credential(
            kind,
            SCOPES.filter((s) => s !== needed),
          ),
        );
        expectProblem(without, 403, 'insufficient_scope');
        expect(without.body.requiredScope, `${route.method} ${route.path}`).to.equal(needed);
        const withIt = await call(route, await credential(kind, [needed]));
        expect([401, 403], `${kind} ${route.method} ${route.path} with ${needed}: ${withIt.text}`).to.not.include(
          withIt.status,
        );
      }
    });
  }

  it('routes open to any valid credential: 401 without one, 200 with a credential of a single unrelated scope', async () => {
    const open = routes.filter((r) => r.scope === 'authenticated').map((r) => `${r.method} ${r.path}`);
    expect(open).to.deep.equal(['GET /v1/me']);
    expectProblem(await client(app.baseUrl).get('/v1/me'), 401, 'unauthenticated');
    for (const kind of ['api_key', 'oauth_client'] as const) {
      const res = await client(app.baseUrl, await credential(kind, ['shipments:read'])).get('/v1/me');
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ tenant: 'tenant-fla' });
      expect(res.body.credential.kind).to.equal(kind);
      expect(res.body.scopes).to.deep.equal(['shipments:read']);
      expect(res.body.effectiveScopes).to.deep.equal(['shipments:read']);
    }
    const all = await client(app.baseUrl, (await app.key(['*'], 'tenant-fla')).key).get('/v1/me');
    expect(all.body.scopes).to.deep.equal(['*']);
    expect(all.body.effectiveScopes).to.deep.equal([...SCOPES]);
  });

  it("docs/api.md's route → scope table lists every route with its scope (regenerate: npx tsx scripts/route-scopes.ts --write)", () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    expect(tableIn(doc), 'docs/api.md route-scopes table').to.equal(routeScopeTable(routes));
  });
});
