// OWASP API10:2023 Unsafe Consumption of APIs: what a webhook receiver answers is read with
// bounds: at most 16 KB of its body, within OMS_WEBHOOK_TIMEOUT_MS, and never stored.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { newCustomer } from '../support/oms.ts';
import { waitFor } from '../support/wait.ts';

/** A receiver that misbehaves according to the path: an endless body, or no answer at all. */
async function hostileReceiver() {
  const stats = { requests: 0, closed: 0, bytesSent: 0 };
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = http.createServer((req, res) => {
    stats.requests++;
    res.on('close', () => stats.closed++);
    req.resume();
    req.on('end', () => {
      if (req.url === '/silent') return; // never answers
      const status = req.url === '/endless-ok' ? 200 : 500;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      // Endless body: writes as fast as the client reads, until it hangs up.
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) stats.bytesSent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    stats,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('OWASP API10 unsafe consumption: hostile webhook receivers', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let rx: Awaited<ReturnType<typeof hostileReceiver>>;
  before(async () => {
    rx = await hostileReceiver();
    app = await startTestApp({
      env: {
        OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1',
        OMS_WEBHOOK_BACKOFF_MS: '20',
        OMS_WEBHOOK_ATTEMPTS: '2',
        OMS_WEBHOOK_TIMEOUT_MS: '500',
      },
    });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => {
    await app?.stop();
    await rx?.close();
  });

  const subscribe = async (path: string) => {
    const res = await api.post('/v1/webhook-endpoints', { url: `${rx.base}${path}`, events: ['customer.created'] });
    expect(res.status, res.text).to.equal(201);
    return res.body.id as string;
  };
  const settled = (endpointId: string) =>
    waitFor(
      () => api.get(`/v1/webhook-endpoints/${endpointId}/deliveries`),
      (r) => r.body.data.length === 1 && r.body.data[0].status !== 'pending',
      { what: `delivery to ${endpointId} to settle`, timeoutMs: 30_000 },
    ).then((r) => r.body.data[0]);

  it('an endless error body and a receiver that never answers: each attempt is cut off, the delivery is failed with a short error, and the worker keeps delivering', async () => {
    const endless = await subscribe('/endless-error');
    const silent = await subscribe('/silent');
    const endlessOk = await subscribe('/endless-ok');
    await newCustomer(api);

    const a = await settled(endless);
    expect(a.status).to.equal('failed');
    expect(a.attempts).to.have.length(2);
    for (const at of a.attempts) {
      expect(at.statusCode).to.equal(500);
      expect(at.error).to.equal('receiver answered 500');
    }

    const b = await settled(silent);
    expect(b.status).to.equal('failed');
    expect(b.attempts).to.have.length(2);
    for (const at of b.attempts) {
      expect(at.statusCode).to.equal(null);
      expect(at.error).to.match(/no answer within 500 ms/);
    }

    // A 2xx followed by an endless body is a success; we stop reading after 16 KB.
    const c = await settled(endlessOk);
    expect(c.status).to.equal('succeeded');

    // We hung up on every connection: nothing is left open on the receiver's side.
    await waitFor(
      async () => ({ ...rx.stats }),
      (s) => s.requests === 5 && s.closed === 5,
      { what: 'every receiver connection closed' },
    );
    // The stored delivery log holds no part of the receivers' bodies.
    const stored = await app.db.knex('webhook_attempts').select('error');
    expect(JSON.stringify(stored)).to.not.include('xxxx');
  });
});
