import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { JobHandler } from '../../src/jobs/handler.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { REDIS_URL } from '../support/database.ts';
import { client } from '../support/http.ts';
import { adjust, orderReaches, placeOrder } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

// Redis keeps jobs a day (completed) or for good (failed) and writes them to disk (AOF): jobs name
// their event and the worker reads it through the decrypting store, so no personal data lands in
// Redis, and a customer forgotten before a job runs stays forgotten in what the job writes.

/** Every value under the prefix, whatever the key type: job hashes, lists, sets, streams. */
async function everythingUnder(prefix: string): Promise<string> {
  const redis = new Redis(REDIS_URL);
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        out.push(key);
        if (type === 'string') out.push((await redis.get(key)) ?? '');
        else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out.join('\n');
}

const person = {
  name: 'Philippa Quarrendon',
  email: 'philippa.quarrendon@example.com',
  phone: '+31 20 555 0199',
  line1: '17 Zuiderzeeweg Achterom',
};
const personalValues = Object.values(person);

describe('Jobs carry event references, not personal data (int)', function () {
  this.timeout(120_000);

  describe('after a customer, an order with an address, fan-out, deliveries and a failed job', () => {
    let app: TestApp;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    // Fails for good at once: its job stays in the failed set, as exhausted jobs do.
    const doomed: JobHandler = {
      name: 'test-doomed-personal',
      handles: ['CustomerRegistered', 'OrderPlaced'],
      attempts: 1,
      async handle() {
        throw new Error('always fails');
      },
    };
    before(async () => {
      receiver = await startReceiver();
      app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1' }, extraJobHandlers: [doomed] });
    });
    after(async () => {
      await app?.stop();
      await receiver?.close();
    });

    it('no name, email, phone or address line anywhere under the Redis prefix', async () => {
      const api = client(app.baseUrl, (await app.key(['*'])).key);
      const hook = await api.post('/v1/webhook-endpoints', { url: receiver.url, events: ['*'] });
      expect(hook.status, hook.text).to.equal(201);
      const customer = await api.post('/v1/customers', {
        email: person.email,
        name: person.name,
        phone: person.phone,
        addresses: [{ name: person.name, line1: person.line1, city: 'Utrecht', postalCode: '3511', country: 'NL' }],
      });
      expect(customer.status, customer.text).to.equal(201);
      await adjust(api, 'PII-SKU', 5);
      const order = await placeOrder(api, customer.body.id, [{ sku: 'PII-SKU', quantity: 1 }], {
        shippingAddress: { name: person.name, line1: person.line1, city: 'Utrecht', postalCode: '3511', country: 'NL' },
      });
      await orderReaches(api, order.id, ['confirmed']);
      await quiescent(app);
      // The jobs ran and are kept: completed ones (fan-out, allocation, deliveries) and the failed ones.
      const counts = await app.runtime.services.queue.getJobCounts('completed', 'failed');
      expect(counts.completed).to.be.greaterThan(3);
      expect(counts.failed).to.equal(2);
      // The receiver did get the data (the deliveries were built from the store's plain reading).
      await waitFor(
        async () => receiver.received.map((r) => r.raw).join('\n'),
        (all) => all.includes(person.email) && all.includes(person.line1),
        { what: 'the deliveries with the customer and the order' },
      );

      const stored = await everythingUnder(app.redisPrefix);
      expect(stored).to.include('OrderPlaced'); // the scan does see the jobs
      for (const value of personalValues) expect(stored, `"${value}" in Redis`).to.not.include(value);
    });
  });

  describe('a webhook fan-out that runs after the customer is forgotten', () => {
    let app: TestApp;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    before(async () => {
      receiver = await startReceiver();
      // No worker yet: the fan-out jobs wait in the queue while the customer is forgotten.
      app = await startTestApp({ roles: ['api', 'projector'], env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1' } });
    });
    after(async () => {
      await app?.stop();
      await receiver?.close();
    });

    it('writes and sends no plaintext of the forgotten customer', async () => {
      const api = client(app.baseUrl, (await app.key(['*'])).key);
      expect((await api.post('/v1/webhook-endpoints', { url: receiver.url, events: ['*'] })).status).to.equal(201);
      const customer = await api.post('/v1/customers', { email: person.email, name: person.name, phone: person.phone });
      expect(customer.status, customer.text).to.equal(201);
      await waitFor(
        () => app.runtime.services.queue.getJobCounts('waiting'),
        (c) => (c.waiting ?? 0) > 0,
        { what: 'the fan-out job queued' },
      );
      expect((await api.delete(`/v1/customers/${customer.body.id}/personal-data`)).status).to.equal(200);

      await app.runtime.start(['worker']);
      const rows = await waitFor(
        async () =>
          (
            await app.db.pool.query<{ event_type: string; status: string; payload: unknown }>(
              'select event_type, status, payload from webhook_deliveries',
            )
          ).rows,
        (r) => r.some((d) => d.event_type === 'customer.created') && r.every((d) => d.status !== 'pending'),
        { what: 'the customer.created delivery made' },
      );
      const written = JSON.stringify(rows);
      const sent = receiver.received.map((r) => r.raw).join('\n');
      for (const value of [person.email, person.name, person.phone]) {
        expect(written, `"${value}" in webhook_deliveries`).to.not.include(value);
        expect(sent, `"${value}" sent`).to.not.include(value);
      }
    });
  });
});
