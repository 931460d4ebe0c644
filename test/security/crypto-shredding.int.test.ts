// Encryption at rest and crypto-shredding of personal data: events hold ciphertext only; after
// "forget customer" no personal value is found in the read models (also after a rebuild), the feed,
// the histories, the delivery log or new webhook payloads, and the history still replays.
import { expect } from 'chai';
import { DISPATCHER_NAME } from '../../src/jobs/dispatcher.ts';
import { rebuildProjection } from '../../src/projector/rebuild.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client } from '../support/http.ts';
import { adjust, placeOrder } from '../support/oms.ts';
import { quiescent } from '../support/quiescence.ts';
import { startReceiver } from '../support/receiver.ts';
import { waitFor } from '../support/wait.ts';

const PERSONAL = [
  'Zenobia Quintrell',
  'Zenobia Q. Marsh',
  'zenobia.quintrell@shred.example',
  '+44 20 7946 0958',
  '77 Quillfeather Lane',
  'Mistbury',
  '12 Brindlewick Yard',
];

describe('Personal data: encrypted at rest, crypto-shredded on request', function () {
  this.timeout(90_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp({ env: { OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '1', OMS_WEBHOOK_BACKOFF_MS: '20' } });
    api = client(app.baseUrl, (await app.key(['*'])).key);
  });
  after(async () => app?.stop());

  /** Every row of every table we own (read models, analytics, platform tables, the log) as text. */
  async function everyRowAsText(): Promise<string> {
    const tables = (
      await app.db.pool.query<{ s: string; t: string }>(
        "select table_schema as s, table_name as t from information_schema.tables where table_schema in ('public', 'analytics') and table_type = 'BASE TABLE'",
      )
    ).rows;
    const parts: string[] = [];
    for (const { s, t } of tables) {
      const rows = (await app.db.pool.query(`select t::text as row from "${s}"."${t}" t`)).rows as { row: string }[];
      parts.push(...rows.map((r) => r.row));
    }
    return parts.join('\n');
  }
  const found = (text: string) => PERSONAL.filter((p) => text.includes(p));

  it('stores ciphertext only, and after forget finds no personal value anywhere, live or rebuilt', async () => {
    const rx = await startReceiver();
    try {
      expect((await api.post('/v1/webhook-endpoints', { url: rx.url, events: ['*'] })).status).to.equal(201);
      const created = await api.post('/v1/customers', {
        email: 'zenobia.quintrell@shred.example',
        name: 'Zenobia Quintrell',
        phone: '+44 20 7946 0958',
        addresses: [{ line1: '77 Quillfeather Lane', city: 'Mistbury', country: 'GB' }],
      });
      expect(created.status, created.text).to.equal(201);
      const id = created.body.id as string;
      expect((await api.patch(`/v1/customers/${id}`, { name: 'Zenobia Q. Marsh' })).status).to.equal(200);
      await adjust(api, 'SHRED-1', 5);
      const order = await placeOrder(api, id, [{ sku: 'SHRED-1', quantity: 1 }], {
        shippingAddress: { line1: '12 Brindlewick Yard', city: 'Mistbury', country: 'GB' },
      });
      await quiescent(app);
      await waitFor(
        async () => rx.received.length,
        (n) => n >= 4,
        { what: 'deliveries before forget' },
      );

      // At rest: the log never held the plain values; the API and read models do (until forget).
      const log = (await app.db.pool.query('select data::text as d from es_events')).rows.map((r) => r.d).join('\n');
      expect(found(log)).to.deep.equal([]);
      expect(found(await everyRowAsText())).to.include.members(['Zenobia Q. Marsh', '12 Brindlewick Yard']);
      expect((await api.get(`/v1/orders/${order.id}`)).body.shippingAddress.line1).to.equal('12 Brindlewick Yard');

      const forget = await api.delete(`/v1/customers/${id}/personal-data`);
      expect(forget.status, forget.text).to.equal(200);
      expect(forget.body).to.include({ email: '[redacted]', name: '[redacted]', phone: null });
      expect((await api.delete(`/v1/customers/${id}/personal-data`)).status).to.equal(200); // idempotent
      expect((await api.patch(`/v1/customers/${id}`, { name: 'Back' })).body.code).to.equal('customer_forgotten');
      await quiescent(app);

      // A webhook sent after the forget (a redelivery of the customer's first event) carries nothing personal.
      const before = rx.received.length;
      const endpoint = (await api.get('/v1/webhook-endpoints')).body.data[0].id as string;
      const first = (await api.get(`/v1/webhook-endpoints/${endpoint}/deliveries`)).body.data.find(
        (d: { type: string }) => d.type === 'customer.created',
      );
      expect((await api.post(`/v1/webhook-endpoints/${endpoint}/deliveries/${first.id}/redeliver`)).status).to.be.oneOf(
        [200, 202],
      );
      await waitFor(
        async () => rx.received.length,
        (n) => n > before,
        { what: 'the redelivery' },
      );
      const afterForget = rx.received.slice(before).map((r) => JSON.stringify(r.body));
      expect(afterForget.some((b) => b.includes('customer.forgotten') || b.includes(id))).to.equal(true);
      expect(found(afterForget.join('\n'))).to.deep.equal([]);

      // Live read models, then rebuilt ones: nothing personal in any table.
      expect(found(await everyRowAsText())).to.deep.equal([]);
      for (const p of app.runtime.allProjections().filter((x) => x.name !== DISPATCHER_NAME)) {
        await rebuildProjection({ knex: app.runtime.services.knex, store: app.runtime.services.store, projection: p });
      }
      expect(found(await everyRowAsText())).to.deep.equal([]);

      // The API, the feed and the histories read redacted values; the history still replays.
      const feed = await client(app.baseUrl, (await app.key(['events:read'])).key).get('/v1/events?limit=200');
      expect(feed.status).to.equal(200);
      const history = await api.get(`/v1/customers/${id}/events`);
      expect(history.body.data.map((e: { type: string }) => e.type)).to.deep.equal([
        'CustomerRegistered',
        'CustomerUpdated',
        'CustomerForgotten',
      ]);
      const orderNow = await api.get(`/v1/orders/${order.id}`);
      expect(orderNow.body.shippingAddress).to.deep.equal({
        line1: '[redacted]',
        city: '[redacted]',
        country: '[redacted]',
      });
      const asOf = await api.get(`/v1/customers/${id}?version=1`);
      expect(asOf.status).to.equal(200);
      expect(asOf.body.name).to.equal('[redacted]');
      expect(
        found(
          [
            feed.text,
            history.text,
            orderNow.text,
            asOf.text,
            (await api.get(`/v1/orders/${order.id}/events`)).text,
          ].join('\n'),
        ),
      ).to.deep.equal([]);
    } finally {
      await rx.close();
    }
  });

  it('a forgotten customer cannot receive new orders (422 customer_forgotten), and nothing is appended', async () => {
    const a = (await api.post('/v1/customers', { email: 'a.shred@shred.example', name: 'Alpha Person' })).body
      .id as string;
    await api.delete(`/v1/customers/${a}/personal-data`);
    const res = await api.post('/v1/orders', {
      customerId: a,
      currency: 'EUR',
      lines: [{ sku: 'SHRED-2', quantity: 1, unitPrice: 100 }],
      shippingAddress: { line1: '1 Somewhere', city: 'Else', country: 'GB' },
    });
    expect(res.status).to.equal(422);
    expect(res.body.code).to.equal('customer_forgotten');
    const orders = (
      await app.db.pool.query(
        "select count(*)::int as n from es_events where data->>'customerId' = $1 and event_type = 'OrderPlaced'",
        [a],
      )
    ).rows[0].n;
    expect(orders).to.equal(0);
  });
});
