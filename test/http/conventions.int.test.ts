import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';

describe('API conventions over HTTP', function () {
  this.timeout(30_000);
  let app: TestApp;
  let api: ReturnType<typeof client>;
  let tenant: string;

  before(async () => {
    app = await startTestApp();
    const k = await app.key(['*']);
    tenant = k.tenant;
    api = client(app.baseUrl, k.key);
  });
  after(async () => app?.stop());

  const body = (email: string) => ({ email, name: 'Idem Potent' });

  describe('authentication and scopes', () => {
    it('no Authorization header → 401 with a Bearer challenge', async () => {
      const res = await client(app.baseUrl).get('/v1/customers');
      expectProblem(res, 401, 'unauthenticated');
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer/);
    });

    it('an unknown, malformed or tampered key → 401', async () => {
      const k = await app.key(['*']);
      const tampered = k.key.slice(0, -2) + (k.key.endsWith('AA') ? 'BB' : 'AA');
      for (const bad of ['nope', 'oms.key_00000000000000000000000000.secret', tampered]) {
        expectProblem(await client(app.baseUrl, bad).get('/v1/customers'), 401, 'invalid_credentials');
      }
      expectProblem(
        await client(app.baseUrl).get('/v1/customers', { Authorization: 'Basic Zm9vOmJhcg==' }),
        401,
        'unauthenticated',
      );
    });

    it('a revoked key → 401', async () => {
      const k = await app.key(['*']);
      expect((await client(app.baseUrl, k.key).get('/v1/customers')).status).to.equal(200);
      await app.runtime.services.apiKeys.revoke(k.id);
      expectProblem(await client(app.baseUrl, k.key).get('/v1/customers'), 401, 'invalid_credentials');
    });

    it('a key without the scope → 403 insufficient_scope; read scope cannot write', async () => {
      const reader = client(app.baseUrl, (await app.key(['customers:read'])).key);
      expect((await reader.get('/v1/customers')).status).to.equal(200);
      expectProblem(await reader.post('/v1/customers', body('scope@example.com')), 403, 'insufficient_scope');
      const orders = client(app.baseUrl, (await app.key(['orders:read'])).key);
      expectProblem(await orders.get('/v1/customers'), 403, 'insufficient_scope');
    });

    it('stores keys hashed only', async () => {
      const k = await app.key(['*']);
      const rows = await app.db.pool.query('select * from api_keys where id = $1', [k.id]);
      const secret = k.key.split('.')[2]!;
      expect(JSON.stringify(rows.rows[0])).to.not.include(secret);
      expect(rows.rows[0].secret_hash).to.be.instanceOf(Buffer);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response (status, body, ETag) with Idempotent-Replayed: true, and appends once', async () => {
      const h = { 'Idempotency-Key': `idem-${Date.now()}` };
      const first = await api.post('/v1/customers', body('idem1@example.com'), h);
      expect(first.status).to.equal(201);
      // same body with keys in another order is the same request
      const again = await api.post('/v1/customers', { name: 'Idem Potent', email: 'idem1@example.com' }, h);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.headers.get('etag')).to.equal(first.headers.get('etag'));
      expect(again.headers.get('oms-position')).to.equal(first.headers.get('oms-position'));
      const n = await app.db.pool.query(
        `select count(*)::int as n from es_events where event_type = 'CustomerRegistered' and stream_name like $1`,
        [`${tenant}:%`],
      );
      expect(n.rows[0].n).to.equal(1);
    });

    it('the same key with a different body → 422 idempotency_key_reused', async () => {
      const h = { 'Idempotency-Key': `idem-diff-${Date.now()}` };
      expect((await api.post('/v1/customers', body('idem2@example.com'), h)).status).to.equal(201);
      expectProblem(await api.post('/v1/customers', body('idem3@example.com'), h), 422, 'idempotency_key_reused');
    });

    it('two simultaneous requests with one key run once: the other is 409 in use or a replay', async () => {
      const key2 = `idem-running2-${Date.now()}`;
      const first = api.post('/v1/customers', body('idem5@example.com'), { 'Idempotency-Key': key2 });
      const second = api.post('/v1/customers', body('idem5@example.com'), { 'Idempotency-Key': key2 });
      const [a, b] = await Promise.all([first, second]);
      const statuses = [a.status, b.status].sort();
      // Either the second arrived while the first ran (409 in use) or after it (201 replayed).
      expect(statuses[0]).to.equal(201);
      if (statuses[1] === 409) expectProblem(a.status === 409 ? a : b, 409, 'idempotency_key_in_use');
      else expect([a, b].some((r) => r.headers.get('idempotent-replayed') === 'true')).to.equal(true);
    });

    it('is 409 idempotency_key_in_use for a live lease with the same request', async () => {
      const key = `idem-lease-${Date.now()}`;
      const { createHash } = await import('node:crypto');
      const fp = createHash('sha256')
        .update(`POST /v1/customers\n{"email":"lease@example.com","name":"Idem Potent"}`)
        .digest('hex');
      await app.db.pool.query(
        `insert into idempotency_keys (tenant, key, fingerprint, state, locked_until) values ($1, $2, $3, 'running', now() + interval '1 minute')`,
        [tenant, key, fp],
      );
      const res = await api.post('/v1/customers', body('lease@example.com'), { 'Idempotency-Key': key });
      expectProblem(res, 409, 'idempotency_key_in_use');
      expect(res.headers.get('retry-after')).to.equal('1');
    });

    it('replays a refusal too, and is scoped per tenant', async () => {
      const key = `idem-refusal-${Date.now()}`;
      await api.post('/v1/customers', body('dupe@example.com'));
      const refused = await api.post('/v1/customers', body('dupe@example.com'), { 'Idempotency-Key': key });
      expectProblem(refused, 409, 'customer_email_taken');
      const replay = await api.post('/v1/customers', body('dupe@example.com'), { 'Idempotency-Key': key });
      expectProblem(replay, 409, 'customer_email_taken');
      expect(replay.headers.get('idempotent-replayed')).to.equal('true');
      const other = client(app.baseUrl, (await app.key(['*'])).key);
      expect((await other.post('/v1/customers', body('dupe@example.com'), { 'Idempotency-Key': key })).status).to.equal(
        201,
      );
    });

    it('refuses a key longer than 255 characters with 400', async () => {
      expectProblem(
        await api.post('/v1/customers', body('long@example.com'), { 'Idempotency-Key': 'k'.repeat(256) }),
        400,
        'validation_failed',
      );
    });
  });

  describe('read-your-writes', () => {
    it('a GET with a position far ahead waits, then 503 position_not_reached with Retry-After', async function () {
      this.timeout(15_000);
      const res = await api.get('/v1/customers', { 'Oms-Min-Position': '999999999999-1' });
      expectProblem(res, 503, 'position_not_reached');
      expect(res.headers.get('retry-after')).to.equal('1');
    });

    it('a malformed position token → 400', async () => {
      expectProblem(await api.get('/v1/customers', { 'Oms-Min-Position': 'yesterday' }), 400, 'validation_failed');
    });
  });

  describe('operations endpoints', () => {
    it('/healthz and /readyz answer without credentials', async () => {
      const anon = client(app.baseUrl);
      expect((await anon.get('/healthz')).body).to.deep.equal({ status: 'ok' });
      const ready = await anon.get('/readyz');
      expect(ready.status).to.equal(200);
      expect(ready.body.checks.map((c: { name: string }) => c.name)).to.deep.equal([
        'postgres',
        'redis',
        'eventstore:postgres',
        'projections',
      ]);
    });

    it('/metrics exposes HTTP latency, commands/appends, projection lag and queue depth', async () => {
      const text = (await client(app.baseUrl).get('/metrics')).text;
      for (const name of [
        'oms_http_request_duration_seconds',
        'oms_events_appended_total',
        'oms_commands_total',
        'oms_projection_lag_seconds',
        'oms_queue_jobs',
      ]) {
        expect(text).to.include(name);
      }
    });
  });
});
