import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../tools/build-console.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { launchBrowser } from '../support/browser.ts';
import { client } from '../support/http.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

// The operator console in a real Chromium against the real service: sign in with a key, find an
// order created through the API, read its timeline, travel back a version, watch a backorder get
// confirmed by a restock made in the console, and check that a read-only key gets no write buttons.
// Screenshots go to OMS_CONSOLE_SCREENSHOTS (docs/screenshots refreshes the README's), else a temp dir.

const SKU = 'CONSOLE-TEE';
const shots = process.env.OMS_CONSOLE_SCREENSHOTS ?? join(tmpdir(), 'oms-console-screenshots');

describe('operator console (browser)', function () {
  this.timeout(300_000);
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let admin: { key: string; tenant: string; id: string };
  let readOnly: { key: string };
  let orderId: string;
  /** Every CSP violation or uncaught page error, per page: there must be none. */
  const pageErrors: string[] = [];

  before(async () => {
    await ensureConsoleBuilt();
    mkdirSync(shots, { recursive: true });
    receiver = await startReceiver();
    app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1' } });
    browser = await launchBrowser();
    admin = await app.key(['*']);
    readOnly = await app.key(['orders:read', 'inventory:read', 'shipments:read'], admin.tenant);
    const api = client(app.baseUrl, admin.key);
    const customer = await api.post('/v1/customers', { email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(customer.status, customer.text).to.equal(201);
    const order = await api.post('/v1/orders', {
      customerId: customer.body.id,
      currency: 'EUR',
      externalId: 'console-e2e-1',
      lines: [{ sku: SKU, quantity: 2, unitPrice: 1999 }],
      shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', country: 'GB' },
    });
    expect(order.status, order.text).to.equal(201);
    orderId = order.body.id;
    // No stock anywhere yet: allocation backorders it.
    await waitFor(
      () => api.get(`/v1/orders/${orderId}`),
      (r) => r.body.status === 'backordered',
      { what: 'the order backordered' },
    );
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await receiver?.close();
  });

  async function signedIn(key: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    page.on('console', (m) => {
      // The API's own 4xx answers (the error test asks for a missing order) are not page errors.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const res = await page.goto(`${app.baseUrl}/console/`);
    expect(res?.headers()['content-security-policy']).to.include("script-src 'self'").and.not.include('unsafe-inline');
    await page.fill('input[name=apiKey]', key);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    return page;
  }

  it('signs in with a key kept in sessionStorage, never in the URL', async () => {
    const page = await signedIn(admin.key);
    expect(await page.textContent('[data-testid=who]')).to.include(admin.tenant);
    // Runs in the page: the test's own lib has no DOM.
    const stored = await page.evaluate('Object.values(sessionStorage)');
    expect(stored).to.include(admin.key);
    expect(page.url()).to.not.include(admin.key);
    await page.close();
  });

  it('filters orders by SKU, alone and with the other filters; a bad SKU shows the problem on the parameter', async () => {
    const page = await signedIn(admin.key);
    const search = async (sku: string, status = '') => {
      await page.fill('input[name=sku]', sku);
      await page.selectOption('select[name=status]', status);
      await page.click('form.filters button[type=submit]');
    };
    const listed = `[data-testid=orders] a:has-text("${orderId}")`;
    await search(SKU);
    await page.waitForSelector(listed);
    await search(SKU, 'cancelled');
    await page.waitForSelector('[data-testid=orders] td:has-text("No orders match.")');
    await search(SKU, 'backordered');
    await page.waitForSelector(listed);
    await search('OTHER-TEE');
    await page.waitForSelector('[data-testid=orders] td:has-text("No orders match.")');
    await search('not a sku');
    await page.waitForSelector('[data-testid=problem]');
    expect(await page.textContent('[data-testid=problem]'))
      .to.include('query:/sku')
      .and.include('(400)');
    await page.close();
  });

  it('finds the order, shows its timeline, travels back a version and sees the backorder confirmed by a restock', async () => {
    const page = await signedIn(admin.key);
    await page.fill('input[name=externalId]', 'console-e2e-1');
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector(`[data-testid=orders] a:has-text("${orderId}")`);
    await page.screenshot({ path: join(shots, 'orders.png') });

    await page.click(`[data-testid=orders] a:has-text("${orderId}")`);
    await page.waitForSelector('[data-testid=timeline] li:has-text("OrderBackordered")');
    const timeline = await page.textContent('[data-testid=timeline]');
    expect(timeline).to.include('OrderPlaced').and.include(admin.id).and.include('correlation');
    expect(await page.textContent('h1')).to.include('backordered');

    // A restock through the console's own inventory form (a write button: this key has the scope).
    await page.goto(`${app.baseUrl}/console/#/inventory/${SKU}`);
    await page.waitForSelector('[data-testid=wait-list] a');
    expect(await page.textContent('[data-testid=wait-list]')).to.include(orderId);
    await page.fill('input[name=delta]', '5');
    await page.click('[data-testid=write-actions] button[type=submit]');
    await page.waitForSelector('[data-testid=write-actions] .ok');

    await page.goto(`${app.baseUrl}/console/#/orders/${orderId}`);
    // The order page reads the latest version again every few seconds.
    await page.waitForSelector('[data-testid=timeline] li:has-text("OrderConfirmed")', { timeout: 60_000 });
    await page.waitForSelector('h1 .status-confirmed');
    expect(await page.textContent('[data-testid=allocations]')).to.match(/default\s*2/);
    const latest = Number(await page.textContent('[data-testid=order-version]'));
    await page.screenshot({ path: join(shots, 'order.png'), fullPage: true });

    await page.click('button:has-text("Back one version")');
    await page.waitForSelector(`[data-testid=time-travel]:has-text("version ${latest - 1} of ${latest}")`);
    expect(await page.textContent('[data-testid=order-version]')).to.equal(String(latest - 1));
    // Before OrderConfirmed the order was still backordered, and on the past version no write button shows.
    await page.waitForSelector('h1 .status-backordered');
    expect(await page.$('[data-testid=write-actions]')).to.equal(null);

    await page.selectOption('[data-testid=diff-from]', '2');
    await page.click('button:has-text("Compare")');
    await page.waitForSelector('[data-testid=diff] td:has-text("/status")');
    expect(await page.textContent('[data-testid=diff]')).to.include('"confirmed"');
    await page.close();
  });

  it('a read-only key sees no write buttons', async () => {
    const page = await signedIn(readOnly.key);
    expect(await page.textContent('nav'))
      .to.not.include('Webhooks')
      .and.not.include('Analytics');
    await page.goto(`${app.baseUrl}/console/#/orders/${orderId}`);
    await page.waitForSelector('[data-testid=timeline] li:has-text("OrderPlaced")');
    await page.waitForSelector('[data-testid=lines] td');
    expect(await page.$('[data-testid=write-actions]')).to.equal(null);
    expect(await page.$('button:has-text("Cancel order")')).to.equal(null);
    await page.goto(`${app.baseUrl}/console/#/inventory/${SKU}`);
    await page.waitForSelector('[data-testid=wait-list] tbody td');
    expect(await page.$('[data-testid=write-actions]')).to.equal(null);
    await page.goto(`${app.baseUrl}/console/#/operations`);
    await page.waitForSelector('[data-testid=checks] td');
    expect(await page.$('[data-testid=failed-jobs]')).to.equal(null);
    expect(await page.$('button:has-text("Retry")')).to.equal(null);
    await page.close();
  });

  it('serves the built files only: no path out of console/dist, index.html for app routes, no key needed', async () => {
    for (const path of [
      '/console/assets/..%2f..%2fpackage.json',
      '/console/assets/../../package.json',
      '/console/assets/nope.js',
    ]) {
      const res = await fetch(app.baseUrl + path);
      expect(res.status, path).to.equal(404);
      expect(await res.text(), path).to.not.include('"name": "nh-oms"');
    }
    const deep = await fetch(`${app.baseUrl}/console/orders/anything`);
    expect(deep.status).to.equal(200);
    expect(deep.headers.get('cache-control')).to.equal('no-store');
    expect(await deep.text()).to.include('<div id="root">');
    const redirect = await fetch(`${app.baseUrl}/console`, { redirect: 'manual' });
    expect(redirect.status).to.equal(302);
    expect(redirect.headers.get('location')).to.equal('/console/');
  });

  it('cancels an order with If-Match on the version shown; every call carries the key in its Authorization header only', async () => {
    const api = client(app.baseUrl, admin.key);
    const customer = await api.post('/v1/customers', { email: 'grace@example.com', name: 'Grace Hopper' });
    expect(customer.status, customer.text).to.equal(201);
    const order = await api.post('/v1/orders', {
      customerId: customer.body.id,
      currency: 'EUR',
      lines: [{ sku: 'CONSOLE-CANCEL', quantity: 1, unitPrice: 500 }],
      shippingAddress: { line1: '1 Navy Yard', city: 'Arlington', country: 'US' },
    });
    expect(order.status, order.text).to.equal(201);
    const id: string = order.body.id;
    await waitFor(
      () => api.get(`/v1/orders/${id}`),
      (r) => r.body.status === 'backordered',
      { what: 'the second order backordered' },
    );
    const page = await signedIn(admin.key);
    const calls: { method: string; url: string; authorization?: string; ifMatch?: string }[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v1/'))
        calls.push({
          method: r.method(),
          url: r.url(),
          authorization: r.headers().authorization,
          ifMatch: r.headers()['if-match'],
        });
    });
    await page.goto(`${app.baseUrl}/console/#/orders/${id}`);
    await page.waitForSelector('h1 .status-backordered');
    const version = await page.textContent('[data-testid=order-version]');
    await page.fill('[data-testid=write-actions] input', 'customer changed their mind');
    await page.click('button:has-text("Cancel order")');
    await page.waitForSelector('h1 .status-cancelled');
    const cancel = calls.find((c) => c.method === 'POST' && c.url.endsWith(`/v1/orders/${id}/cancel`));
    expect(cancel?.ifMatch).to.equal(`"${version}"`);
    expect((await api.get(`/v1/orders/${id}`)).body.status).to.equal('cancelled');
    expect(calls.length).to.be.greaterThan(3);
    for (const c of calls) {
      expect(c.authorization, c.url).to.equal(`Bearer ${admin.key}`);
      expect(c.url).to.not.include(admin.key);
    }
    await page.close();
  });

  it('"only low stock" asks the API for the levels at or below the threshold, across every SKU', async () => {
    const api = client(app.baseUrl, admin.key);
    for (const [sku, delta] of [
      ['LOW-CONSOLE', 2],
      ['PLENTY-CONSOLE', 40],
    ] as const) {
      const res = await api.post('/v1/inventory/adjustments', { sku, delta, reason: 'received' });
      expect(res.status, res.text).to.equal(201);
    }
    await waitFor(
      () => api.get('/v1/inventory?sku=PLENTY-CONSOLE'),
      (r) => r.body.data?.length === 1,
      { what: 'the restocked levels in the read model' },
    );
    const page = await signedIn(admin.key);
    const asked: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/v1/inventory') asked.push(r.url());
    });
    await page.goto(`${app.baseUrl}/console/#/inventory`);
    await page.waitForSelector('[data-testid=levels] td:has-text("PLENTY-CONSOLE")');
    await page.check('label.check input[type=checkbox]');
    await page.waitForSelector('[data-testid=levels] td:has-text("PLENTY-CONSOLE")', { state: 'detached' });
    expect(await page.textContent('[data-testid=levels]')).to.include('LOW-CONSOLE');
    expect(new URL(asked[asked.length - 1]!).searchParams.get('maxAvailable')).to.equal('5');
    await page.close();
  });

  it('shows a failed network call as "Network error", not a blank page', async () => {
    const page = await signedIn(admin.key);
    await page.route('**/v1/orders/**', (route) => route.abort('connectionrefused'));
    await page.goto(`${app.baseUrl}/console/#/orders/${orderId}`);
    await page.waitForSelector('[data-testid=problem]');
    expect(await page.textContent('[data-testid=problem]')).to.include('Network error');
    await page.close();
  });

  it("shows an API error's title and detail, not a blank page", async () => {
    const page = await signedIn(admin.key);
    await page.goto(`${app.baseUrl}/console/#/orders/ord_01jdx9a4b5c6d7e8f9g0h1j2k3`);
    await page.waitForSelector('[data-testid=problem]');
    expect(await page.textContent('[data-testid=problem]')).to.match(/Not Found.*\(404\)/s);
    await page.close();
  });

  it('renders every page (screenshots) without a CSP violation or page error', async () => {
    const api = client(app.baseUrl, admin.key);
    const endpoint = await api.post('/v1/webhook-endpoints', { url: receiver.url, events: ['*'] });
    expect(endpoint.status, endpoint.text).to.equal(201);
    const shipment = await api.post(`/v1/orders/${orderId}/shipments`, {
      lines: [{ sku: SKU, quantity: 2 }],
      carrier: 'DHL',
      trackingNumber: 'JD0146000061',
    });
    expect(shipment.status, shipment.text).to.equal(201);
    const moved = await api.post(`/v1/shipments/${shipment.body.id}/events`, {
      status: 'in_transit',
      location: 'Leipzig hub',
    });
    expect(moved.status, moved.text).to.equal(201);
    await waitFor(
      () => api.get(`/v1/webhook-endpoints/${endpoint.body.id}/deliveries`),
      (r) => r.body.data.length >= 2 && r.body.data.every((d: { status: string }) => d.status !== 'pending'),
      { what: 'webhook deliveries done' },
    );

    // The analytics read model has the backorder confirmed by the restock (the first test's).
    await waitFor(
      () => api.get('/v1/analytics/fulfilment'),
      (r) => r.body.backorders?.confirmed === 1,
      { what: 'the analytics read model caught up' },
    );

    const page = await signedIn(admin.key);
    const pages: [string, string][] = [
      ['inventory', `#/inventory/${SKU}`],
      ['shipments', '#/shipments/JD0146000061'],
      ['webhooks', `#/webhooks/${endpoint.body.id}`],
      ['operations', '#/operations'],
      ['analytics', '#/analytics'],
    ];
    for (const [name, hash] of pages) {
      await page.goto(`${app.baseUrl}/console/${hash}`);
      await page.waitForSelector('main h1');
      await page.waitForLoadState('networkidle');
      expect(await page.$('[data-testid=problem]'), `${name}: ${await page.textContent('main')}`).to.equal(null);
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      if (name === 'operations') {
        expect(await page.textContent('[data-testid=checks]')).to.include('postgres');
        await page.waitForSelector('[data-testid=failed-jobs] td');
        for (const chart of ['lag-chart', 'depth-chart', 'commands-chart'])
          await page.waitForSelector(`[data-testid=${chart}] canvas`);
        expect(await page.textContent('[data-testid=projections]')).to.include('customers');
        expect(await page.textContent('[data-testid=queue]')).to.include('oms-jobs');
      }
      if (name === 'analytics') {
        // Every chart drawn (ECharts renders into a canvas), over all orders of the range.
        for (const chart of ['orders', 'revenue', 'skus', 'fill', 'backorder-age'])
          await page.waitForSelector(`[data-testid=chart-${chart}] canvas`);
        // Its two orders (the first test's, 2 units, and the one cancelled by the If-Match test) were
        // both backordered first.
        expect(await page.textContent('[data-testid=fill-rate]')).to.match(/^0\.0 %/);
        expect(await page.textContent('[data-testid=analytics-summary]')).to.include('2 (3 units; 1 cancelled');
      }
    }
    // Retry a parked event from the console. Parked by hand (a real event of the tenant, which the
    // customers projection has applied already: applying it again is a no-op), so it unparks.
    const [registered] = (await app.runtime.services.store.readAll({ maxCount: 100, tenant: admin.tenant })).filter(
      (e) => e.type === 'CustomerRegistered',
    );
    await app.db.pool.query(
      `insert into parked_events (projection, event_id, position_commit, position_prepare, stream_name, revision, tenant,
                                  event_type, error, attempts, first_failed_at, last_failed_at)
       values ('customers', $1, $2, $3, $4, $5, $6, $7, 'boom', 5, now(), now())`,
      [
        registered!.id,
        registered!.position.commit.toString(),
        registered!.position.prepare.toString(),
        registered!.streamName,
        registered!.revision,
        admin.tenant,
        registered!.type,
      ],
    );
    await page.goto(`${app.baseUrl}/console/#/operations`);
    await page.click(`[data-testid=tenant-parked] tr:has-text("${registered!.id}") button:has-text("Retry")`);
    await page.waitForSelector('[data-testid=tenant-parked] td:has-text("None.")');
    expect(await page.$('[data-testid=problem]')).to.equal(null);
    // Redeliver from the console: the delivery gets a second attempt.
    await page.goto(`${app.baseUrl}/console/#/webhooks/${endpoint.body.id}`);
    await page.click('[data-testid=deliveries] button:has-text("Redeliver")');
    await waitFor(
      () => api.get(`/v1/webhook-endpoints/${endpoint.body.id}/deliveries`),
      (r) => r.body.data.some((d: { attempts: unknown[] }) => d.attempts.length === 2),
      { what: 'a second attempt of the redelivered delivery' },
    );
    await page.close();
    expect(pageErrors).to.deep.equal([]);
  });
});
