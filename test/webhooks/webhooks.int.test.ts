import { expect } from 'chai';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { verify } from '../../src/webhooks/signature.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { REDIS_URL } from '../support/database.ts';
import { client, expectProblem } from '../support/http.ts';
import { adjust, newCustomer, placeOrder } from '../support/oms.ts';
import { spawnOms, type OmsProcess } from '../support/process.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

const FAST = {
  OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1',
  OMS_WEBHOOK_BACKOFF_MS: '20',
  OMS_WEBHOOK_ATTEMPTS: '5',
  OMS_WORKER_LOCK_MS: '1000',
};

describe('Webhooks: signed deliveries, retries with backoff, delivery log, redelivery', function () {
  this.timeout(60_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp({ env: FAST });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  const subscribe = async (url: string, events: string[]) => {
    const res = await api.post('/v1/webhook-endpoints', { url, events });
    expect(res.status, res.text).to.equal(201);
    return res.body as { id: string; secret: string };
  };
  const deliveries = (endpointId: string) => api.get(`/v1/webhook-endpoints/${endpointId}/deliveries`);

  it('delivers signed events to a real receiver; the secret is shown once', async () => {
    const rx = await startReceiver();
    try {
      const ep = await subscribe(rx.url, ['customer.created', 'order.placed', 'order.confirmed']);
      expect(ep.secret).to.match(/^whsec_/);
      expect((await api.get(`/v1/webhook-endpoints/${ep.id}`)).body).to.not.have.property('secret');
      const customerId = await newCustomer(api);
      await adjust(api, 'HOOK-1', 5);
      const order = await placeOrder(api, customerId, [{ sku: 'HOOK-1', quantity: 1 }]);
      await waitFor(
        async () => rx.received.map((r) => r.body.type).sort(),
        (t) => t.length === 3,
        { what: 'three deliveries' },
      );
      expect(rx.received.map((r) => r.body.type).sort()).to.deep.equal([
        'customer.created',
        'order.confirmed',
        'order.placed',
      ]);
      for (const r of rx.received) {
        const id = String(r.headers['oms-delivery-id']);
        const signature = String(r.headers['oms-signature']);
        expect(verify(ep.secret, r.raw, signature, id), 'valid signature').to.equal(true);
        expect(verify('whsec_wrong', r.raw, signature, id)).to.equal(false);
        expect(id).to.equal(r.body.id);
        expect(r.body.id).to.match(/^dlv_/);
        // The delivery id receivers dedupe on is signed: another id does not verify.
        expect(verify(ep.secret, r.raw, signature, 'dlv_00000000000000000000000000'), 'tampered id').to.equal(false);
        // Standard Webhooks headers, checked by the reference library.
        const headers = r.headers as Record<string, string>;
        expect(headers['webhook-id']).to.equal(id);
        expect(new Webhook(ep.secret).verify(r.raw, headers)).to.deep.equal(r.body);
        expect(() =>
          new Webhook(ep.secret).verify(r.raw, { ...headers, 'webhook-id': 'dlv_00000000000000000000000000' }),
        ).to.throw(WebhookVerificationError);
        expect(() => new Webhook(ep.secret).verify(`${r.raw} `, headers)).to.throw(WebhookVerificationError);
      }
      const placed = rx.received.find((r) => r.body.type === 'order.placed')!;
      expect(placed.body.data.orderId).to.equal(order.id);
      // The receiver answered; the log records it right after.
      const log = await waitFor(
        () => deliveries(ep.id),
        (r) => r.body.data.length === 3 && r.body.data.every((d: { status: string }) => d.status !== 'pending'),
        { what: 'delivery log' },
      );
      for (const d of log.body.data) {
        expect(d.status).to.equal('succeeded');
        expect(d.attempts).to.have.length(1);
        expect(d.attempts[0].statusCode).to.equal(200);
        expect(d.attempts[0].latencyMs).to.be.a('number');
      }
    } finally {
      await rx.close();
    }
  });

  it('a receiver that fails the first 3 attempts receives the 4th, with the same delivery id each time', async () => {
    const rx = await startReceiver((_r, n) => (n <= 3 ? 500 : 200));
    try {
      const ep = await subscribe(rx.url, ['customer.created']);
      await newCustomer(api);
      await waitFor(
        async () => rx.received.length,
        (n) => n === 4,
        { what: 'four attempts' },
      );
      expect(new Set(rx.received.map((r) => r.body.id)).size).to.equal(1);
      const log = await waitFor(
        () => deliveries(ep.id),
        (r) => r.body.data[0]?.status === 'succeeded',
        { what: 'delivery succeeded' },
      );
      expect(log.body.data[0].attempts.map((a: { statusCode: number }) => a.statusCode)).to.deep.equal([
        500, 500, 500, 200,
      ]);
    } finally {
      await rx.close();
    }
  });

  it('a 3xx is an answer, never followed: the redirect target receives nothing', async () => {
    const target = await startReceiver();
    const rx = await startReceiver(() => ({ status: 307, headers: { Location: target.url } }));
    try {
      const ep = await subscribe(rx.url, ['customer.created']);
      await newCustomer(api);
      const log = await waitFor(
        () => deliveries(ep.id),
        (r) => r.body.data[0]?.attempts.length >= 2,
        { what: 'two attempts answered with a redirect' },
      );
      for (const a of log.body.data[0].attempts.slice(0, 2)) {
        expect(a.statusCode).to.equal(307);
        expect(a.error).to.equal('receiver answered 307');
      }
      expect(target.connections, 'the Location was not followed').to.equal(0);
    } finally {
      await rx.close();
      await target.close();
    }
  });

  it('an exhausted delivery is marked failed and can be redelivered with the same id', async () => {
    let up = false;
    const rx = await startReceiver(() => (up ? 204 : 503));
    try {
      const ep = await subscribe(rx.url, ['*']);
      await newCustomer(api);
      const failed = await waitFor(
        () => deliveries(ep.id),
        (r) => r.body.data[0]?.status === 'failed',
        { what: 'delivery failed after 5 attempts' },
      );
      const d = failed.body.data[0];
      expect(d.attempts).to.have.length(5);
      up = true;
      const re = await api.post(`/v1/webhook-endpoints/${ep.id}/deliveries/${d.id}/redeliver`);
      expect(re.status, re.text).to.equal(202);
      await waitFor(
        () => deliveries(ep.id),
        (r) => r.body.data[0]?.status === 'succeeded',
        { what: 'redelivered' },
      );
      expect(rx.received.at(-1)!.body.id).to.equal(d.id);
      expectProblem(
        await api.post(`/v1/webhook-endpoints/${ep.id}/deliveries/dlv_00000000000000000000000000/redeliver`),
        404,
        'webhook_delivery_not_found',
      );
    } finally {
      await rx.close();
    }
  });

  it('validates endpoints, lists and deletes them, and keeps other tenants out', async () => {
    expectProblem(
      await api.post('/v1/webhook-endpoints', { url: 'ftp://example.com', events: ['*'] }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.post('/v1/webhook-endpoints', { url: 'https://example.com/h', events: ['order.exploded'] }),
      400,
      'validation_failed',
    );
    const ep = await subscribe('https://example.com/hook', ['order.placed']);
    expect((await api.get('/v1/webhook-endpoints')).body.data.map((e: { id: string }) => e.id)).to.include(ep.id);
    const other = client(app.baseUrl, (await app.key(['*'])).key);
    expectProblem(await other.get(`/v1/webhook-endpoints/${ep.id}`), 404, 'webhook_endpoint_not_found');
    expectProblem(await other.delete(`/v1/webhook-endpoints/${ep.id}`), 404, 'webhook_endpoint_not_found');
    expect((await api.delete(`/v1/webhook-endpoints/${ep.id}`)).status).to.equal(204);
    expectProblem(await api.get(`/v1/webhook-endpoints/${ep.id}`), 404, 'webhook_endpoint_not_found');
    const reader = client(app.baseUrl, (await app.key(['orders:read'])).key);
    expectProblem(await reader.get('/v1/webhook-endpoints'), 403, 'insufficient_scope');
  });
});

describe('Webhooks: killing the worker mid-delivery loses no delivery', function () {
  this.timeout(90_000);
  let app: TestApp;
  const workers: OmsProcess[] = [];

  before(async () => {
    app = await startTestApp({ roles: ['api', 'projector'], env: FAST }); // the workers are child processes
  });
  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await app?.stop();
  });

  const worker = () => {
    const w = spawnOms(['start', '--role', 'worker'], {
      DATABASE_URL: app.db.url,
      REDIS_URL,
      OMS_REDIS_PREFIX: app.redisPrefix,
      LOG_LEVEL: 'warn',
      ...FAST,
    });
    workers.push(w);
    return w;
  };

  it('the delivery in flight when the worker dies is delivered by the next worker, under the same id', async () => {
    const rx = await startReceiver((_r, n) => (n === 1 ? 'hang' : 200));
    try {
      const api = client(app.baseUrl, (await app.key(['*'])).key);
      const ep = await api.post('/v1/webhook-endpoints', { url: rx.url, events: ['customer.created'] });
      const w1 = worker();
      await newCustomer(api);
      await waitFor(
        async () => rx.received.length,
        (n) => n === 1,
        { timeoutMs: 60_000, what: 'first attempt in flight' },
      );
      w1.child.kill('SIGKILL');
      await w1.exited;
      worker();
      await waitFor(
        async () => rx.received.length,
        (n) => n >= 2,
        { timeoutMs: 60_000, what: 'the next worker to deliver' },
      );
      expect(new Set(rx.received.map((r) => r.body.id)).size).to.equal(1);
      await waitFor(
        () => api.get(`/v1/webhook-endpoints/${ep.body.id}/deliveries`),
        (r) => r.body.data[0]?.status === 'succeeded',
        { what: 'logged as succeeded' },
      );
    } finally {
      await rx.close();
    }
  });
});
