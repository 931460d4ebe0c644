import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { buildDocsPage } from '../../tools/build-docs-page.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser } from '../support/browser.ts';

interface Operation {
  operationId: string;
  method: string;
  path: string;
  tag: string;
}

/** Every operation of the served /openapi.json. */
async function operations(baseUrl: string): Promise<Operation[]> {
  const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { operationId: string; tags: string[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ operationId: op.operationId, method, path, tag: op.tags[0]! })),
  );
}

describe('GET /docs: the API reference page (e2e, Chromium)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  /** What the page did that it should not: console errors (CSP violations among them), script errors, requests elsewhere. */
  const faults: string[] = [];

  before(async () => {
    buildDocsPage(); // `npm test` built it already; a targeted run builds it here
    app = await startTestApp({ roles: ['api'] });
    browser = await launchBrowser();
    page = await browser.newPage();
    const origin = new URL(app.baseUrl).origin;
    page.on('console', (m) => {
      if (m.type() === 'error') faults.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => faults.push(`script error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && new URL(r.url()).origin !== origin) faults.push(`request to ${r.url()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('is served by the service with a CSP that allows no inline script or style and nothing from elsewhere', async () => {
    const res = await fetch(`${app.baseUrl}/docs`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("script-src 'self'").and.include("style-src 'self'").and.include("default-src 'none'");
    expect(csp).not.to.match(/unsafe-inline|unsafe-eval|https?:|\*/);
    const html = await res.text();
    expect(html, 'no inline script').not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const asset of html.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)) {
      const a = await fetch(`${app.baseUrl}${asset[1]}`, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(a.status, asset[1]).to.equal(200);
      await a.arrayBuffer();
    }
    // The API keeps its own CSP.
    expect((await fetch(`${app.baseUrl}/healthz`)).headers.get('content-security-policy')).to.equal(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect((await fetch(`${app.baseUrl}/docs/nothing-here.js`)).status).to.equal(404);
  });

  it('lists every operation of /openapi.json, each under its tag with its method', async () => {
    const ops = await operations(app.baseUrl);
    expect(ops.length).to.be.greaterThan(30);
    await page.goto(`${app.baseUrl}/docs`);
    // The sidebar lists tags, collapsed: open each, then every operation has its entry.
    for (const tag of new Set(ops.map((o) => o.tag))) await page.click(`[title="${tag}"]`, { timeout: 30_000 });
    const listed = await page.$$eval('a[href^="#/operations/"]', (links) =>
      links.map((a) => ({ href: a.getAttribute('href'), text: a.textContent ?? '' })),
    );
    const missing = ops.filter(
      (o) => !listed.some((l) => l.href === `#/operations/${o.operationId}` && l.text.toLowerCase().endsWith(o.method)),
    );
    expect(missing, 'operations the page does not list').to.deep.equal([]);
    expect(listed).to.have.length(ops.length);
  });

  it("shows an operation's method, path and the examples of docs/api.md", async () => {
    await page.goto(`${app.baseUrl}/docs#/operations/createOrder`);
    const path = page.locator('elements-api').getByText('/v1/orders', { exact: true }).first();
    await path.waitFor({ timeout: 30_000 });
    const text = await page.textContent('elements-api');
    expect(text).to.include('POST');
    // The request sample and the response example come from the schemas' examples.
    expect(text).to.include('"externalId": "shop-100234"').and.include('ord_01jdx9a4b5c6d7e8f9g0h1j2k3');
  });

  it('loaded everything from the service and broke no rule of its CSP', () => {
    expect(faults).to.deep.equal([]);
  });
});
