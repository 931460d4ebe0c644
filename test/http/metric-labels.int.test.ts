// Unauthenticated requests must not grow the metrics: a path no route matched is labelled
// `unmatched` whatever its status (415 for a non-JSON POST, 405 or an OPTIONS answer on a
// parameterised route), never by its raw path, which would be a new series kept forever.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';

const SERIES = 'oms_http_request_duration_seconds_count{';

describe('HTTP metric labels', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
  });
  after(async () => app?.stop());

  const series = async () => {
    const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith(SERIES));
  };

  it('10,000 random unmatched paths add no series', async () => {
    const requests: (() => Promise<Response>)[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = randomBytes(8).toString('hex');
      const url = `${app.baseUrl}${['/x/', '/v1/customers/', '/v1/orders/'][i % 3]}${id}`;
      // A non-JSON POST (415 before any route matches), a PUT on a route that lacks it (405),
      // an OPTIONS (answered by the router's allowed-methods handler).
      const init: RequestInit[] = [
        { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' },
        { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' },
        { method: 'OPTIONS' },
      ];
      requests.push(() => fetch(url, init[Math.floor(i / 3) % 3]));
    }
    // Warm up every kind of answer once, so the series they need exist before counting.
    for (const r of requests.slice(0, 9)) await (await r()).arrayBuffer();
    const before = await series();
    const statuses = new Set<number>();
    let next = 9;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < requests.length) {
          const res = await requests[next++]!();
          statuses.add(res.status);
          await res.arrayBuffer();
        }
      }),
    );
    expect([...statuses]).to.include.members([415, 405]);
    const after = await series();
    // /metrics itself may have added its own series on the first scrape.
    const added = after.filter((l) => !before.some((b) => b.split('} ')[0] === l.split('} ')[0]));
    expect(added.filter((l) => !l.includes('route="/metrics"'))).to.deep.equal([]);
    expect(after.length - before.length).to.be.at.most(1);
  });
});
