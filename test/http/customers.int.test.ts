import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem } from '../support/http.ts';

describe('Customers over HTTP', function () {
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

  const ada = (email = `ada-${Math.random().toString(36).slice(2)}@example.com`) => ({
    email,
    name: 'Ada Lovelace',
    phone: '+44 20 7946 0000',
    externalId: 'crm-42',
    addresses: [{ name: 'Ada', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }],
  });

  describe('create and read', () => {
    it('creates a customer: 201, ETag "1", Location, Oms-Position; the read model serves it', async () => {
      const res = await api.post('/v1/customers', ada());
      expect(res.status, res.text).to.equal(201);
      expect(res.body.id).to.match(/^cus_[0-9a-z]{26}$/);
      expect(res.body).to.include({
        name: 'Ada Lovelace',
        version: 1,
        externalId: 'crm-42',
        phone: '+44 20 7946 0000',
      });
      expect(res.headers.get('etag')).to.equal('"1"');
      expect(res.headers.get('location')).to.equal(`/v1/customers/${res.body.id}`);
      const position = res.headers.get('oms-position');
      expect(position).to.match(/^\d+-\d+$/);
      const got = await api.get(`/v1/customers/${res.body.id}`, { 'Oms-Min-Position': position! });
      expect(got.status).to.equal(200);
      expect(got.body).to.deep.equal(res.body);
      expect(got.headers.get('etag')).to.equal('"1"');
    });

    it('answers 404 for an unknown id, a malformed id and another tenant’s customer', async () => {
      const created = await api.post('/v1/customers', ada());
      const other = client(app.baseUrl, (await app.key(['*'])).key);
      await api
        .get('/v1/customers/cus_00000000000000000000000000')
        .then((r) => expectProblem(r, 404, 'customer_not_found'));
      await api.get('/v1/customers/not-an-id').then((r) => expectProblem(r, 404, 'customer_not_found'));
      const pos = created.headers.get('oms-position')!;
      await other
        .get(`/v1/customers/${created.body.id}`, { 'Oms-Min-Position': pos })
        .then((r) => expectProblem(r, 404, 'customer_not_found'));
      await other
        .patch(`/v1/customers/${created.body.id}`, { name: 'Mallory' })
        .then((r) => expectProblem(r, 404, 'customer_not_found'));
    });
  });

  describe('update', () => {
    it('patches with If-Match: the current version succeeds, a stale one is 412 version_mismatch', async () => {
      const created = await api.post('/v1/customers', ada());
      const id = created.body.id;
      const ok = await api.patch(`/v1/customers/${id}`, { name: 'Ada King', phone: null }, { 'If-Match': '"1"' });
      expect(ok.status, ok.text).to.equal(200);
      expect(ok.body).to.include({ name: 'Ada King', phone: null, version: 2 });
      expect(ok.headers.get('etag')).to.equal('"2"');
      const stale = await api.patch(`/v1/customers/${id}`, { name: 'Stale' }, { 'If-Match': '"1"' });
      expectProblem(stale, 412, 'version_mismatch');
      const read = await api.get(`/v1/customers/${id}`, { 'Oms-Min-Position': ok.headers.get('oms-position')! });
      expect(read.body).to.include({ name: 'Ada King', version: 2 });
    });

    it('a patch that changes nothing appends nothing and keeps the version', async () => {
      const created = await api.post('/v1/customers', ada());
      const same = await api.patch(`/v1/customers/${created.body.id}`, { name: 'Ada Lovelace' });
      expect(same.status).to.equal(200);
      expect(same.body.version).to.equal(1);
    });

    it('changing the email frees the old one and takes the new one', async () => {
      const a = await api.post('/v1/customers', ada('first@example.com'));
      await api.post('/v1/customers', ada('taken@example.com'));
      expectProblem(
        await api.patch(`/v1/customers/${a.body.id}`, { email: 'TAKEN@example.com' }),
        409,
        'customer_email_taken',
      );
      const moved = await api.patch(`/v1/customers/${a.body.id}`, { email: 'second@example.com' });
      expect(moved.status, moved.text).to.equal(200);
      expect((await api.post('/v1/customers', ada('first@example.com'))).status).to.equal(201);
      expectProblem(await api.post('/v1/customers', ada('Second@Example.com')), 409, 'customer_email_taken');
    });
  });

  describe('email uniqueness', () => {
    it('is case-insensitive per tenant, and another tenant may use the same email', async () => {
      expect((await api.post('/v1/customers', ada('grace@example.com'))).status).to.equal(201);
      expectProblem(await api.post('/v1/customers', ada('GRACE@example.com')), 409, 'customer_email_taken');
      const other = client(app.baseUrl, (await app.key(['customers:write'])).key);
      expect((await other.post('/v1/customers', ada('grace@example.com'))).status).to.equal(201);
    });

    it('holds under concurrent requests: exactly one of 12 simultaneous creates wins', async () => {
      const email = `race-${Date.now()}@example.com`;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => api.post('/v1/customers', ada(i % 2 ? email.toUpperCase() : email))),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).to.have.length(1);
      expect(statuses.filter((s) => s === 409)).to.have.length(11);
      for (const r of results.filter((x) => x.status === 409)) expectProblem(r, 409, 'customer_email_taken');
      const pos = results.find((r) => r.status === 201)!.headers.get('oms-position')!;
      const list = await api.get(`/v1/customers?email=${encodeURIComponent(email)}`, { 'Oms-Min-Position': pos });
      expect(list.body.data).to.have.length(1);
    });
  });

  describe('list', () => {
    it('filters by email case-insensitively and pages newest first with a cursor', async () => {
      const k = await app.key(['customers:read', 'customers:write']);
      const mine = client(app.baseUrl, k.key);
      const ids: string[] = [];
      let pos = '';
      for (let i = 0; i < 5; i++) {
        const r = await mine.post('/v1/customers', ada(`page${i}@example.com`));
        ids.push(r.body.id);
        pos = r.headers.get('oms-position')!;
      }
      const first = await mine.get('/v1/customers?limit=2', { 'Oms-Min-Position': pos });
      expect(first.status).to.equal(200);
      expect(first.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ids[4], ids[3]]);
      const second = await mine.get(`/v1/customers?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ids[2], ids[1]]);
      const third = await mine.get(`/v1/customers?limit=2&cursor=${second.body.nextCursor}`);
      expect(third.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ids[0]]);
      expect(third.body.nextCursor).to.equal(null);
      const byEmail = await mine.get('/v1/customers?email=PAGE3@EXAMPLE.COM');
      expect(byEmail.body.data.map((c: { id: string }) => c.id)).to.deep.equal([ids[3]]);
    });

    it('refuses bad paging parameters with 400', async () => {
      expectProblem(await api.get('/v1/customers?limit=0'), 400, 'validation_failed');
      expectProblem(await api.get('/v1/customers?limit=201'), 400, 'validation_failed');
      expectProblem(await api.get('/v1/customers?limit=abc'), 400, 'validation_failed');
      expectProblem(await api.get('/v1/customers?cursor=bm90LWEtY3Vyc29y'), 400, 'validation_failed');
      expectProblem(await api.get('/v1/customers?colour=red'), 400, 'validation_failed');
    });
  });

  describe('bad input', () => {
    const cases: [string, unknown, string][] = [
      ['missing email', { name: 'A' }, '/email'],
      ['missing name', { email: 'a@example.com' }, '/name'],
      ['malformed email', { email: 'not-an-email', name: 'A' }, '/email'],
      ['wrong type', { email: 'a@example.com', name: 42 }, '/name'],
      ['unknown property', { email: 'a@example.com', name: 'A', isAdmin: true }, '/isAdmin'],
      [
        'bad country',
        { email: 'a@example.com', name: 'A', addresses: [{ line1: 'x', city: 'y', country: 'gb' }] },
        '/addresses/0/country',
      ],
      [
        'address without line1',
        { email: 'a@example.com', name: 'A', addresses: [{ city: 'y', country: 'GB' }] },
        '/addresses/0/line1',
      ],
      ['empty name', { email: 'a@example.com', name: '' }, '/name'],
      ['not an object', [1, 2, 3], ''],
    ];
    for (const [label, body, path] of cases) {
      it(`${label} → 400 validation_failed naming ${path || 'the body'}`, async () => {
        const res = await api.post('/v1/customers', body);
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors.map((e: { path: string }) => e.path)).to.include(path);
      });
    }

    it('malformed JSON → 400 validation_failed', async () => {
      expectProblem(await api.post('/v1/customers', '{"email": "a@example.com", "name": '), 400, 'validation_failed');
    });

    it('a body that is not JSON → 415', async () => {
      expectProblem(
        await api.post('/v1/customers', 'email=a', { 'Content-Type': 'application/x-www-form-urlencoded' }),
        415,
        'unsupported_media_type',
      );
    });

    it('a 3 MB body is refused with 413, and the server keeps serving', async () => {
      const huge = JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(3 * 1024 * 1024) });
      expectProblem(await api.post('/v1/customers', huge), 413, 'payload_too_large');
      expect((await api.get('/v1/customers?limit=1')).status).to.equal(200);
    });

    it('an empty PATCH is 400; an unknown route is 404; a wrong method is 405', async () => {
      const c = await api.post('/v1/customers', ada());
      expectProblem(await api.patch(`/v1/customers/${c.body.id}`, {}), 400, 'validation_failed');
      expectProblem(await api.get('/v1/nothing-here'), 404, 'route_not_found');
      expectProblem(await api.delete('/v1/customers'), 405, 'method_not_allowed');
      expectProblem(
        await api.patch(`/v1/customers/${c.body.id}`, { name: 'x' }, { 'If-Match': 'garbage' }),
        400,
        'validation_failed',
      );
    });

    it('a refused command appends nothing', async () => {
      const before = await app.db.pool.query('select count(*)::int as n from es_events');
      await api.post('/v1/customers', { email: 'bad', name: 'A' });
      await api.post('/v1/customers', { name: 'A' });
      const after = await app.db.pool.query('select count(*)::int as n from es_events');
      expect(after.rows[0].n).to.equal(before.rows[0].n);
    });
  });

  describe('tenancy in storage', () => {
    it('puts the tenant in the stream name, the event metadata and the read-model row', async () => {
      const c = await api.post('/v1/customers', ada(), { 'X-Request-Id': 'req-trace-1' });
      const ev = await app.db.pool.query('select stream_name, metadata from es_events where stream_name like $1', [
        `%:customer:${c.body.id}`,
      ]);
      expect(ev.rows[0].stream_name).to.equal(`${tenant}:customer:${c.body.id}`);
      expect(ev.rows[0].metadata).to.include({ tenant, correlationId: 'req-trace-1', causationId: null });
      expect(ev.rows[0].metadata.actor).to.match(/^key_/);
      // A list waits for the read models (a GET by id would answer from the log at once).
      await api.get('/v1/customers?limit=1', { 'Oms-Min-Position': c.headers.get('oms-position')! });
      const row = await app.db.pool.query('select tenant from customers where id = $1', [c.body.id]);
      expect(row.rows[0].tenant).to.equal(tenant);
    });
  });
});
