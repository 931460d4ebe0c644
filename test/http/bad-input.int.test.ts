// Bad input at the HTTP edge: each one a precise 4xx problem+json, never a 500, and nothing written.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { client, expectProblem, type Res } from '../support/http.ts';

describe('Bad input at the HTTP edge', function () {
  this.timeout(30_000);
  let app: TestApp;
  let key: string;
  let tenant: string;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await startTestApp();
    ({ key, tenant } = await app.key(['*']));
    api = client(app.baseUrl, key);
  });
  after(async () => app?.stop());

  /** Sends bytes exactly as given (fetch would re-encode a string). */
  async function raw(
    method: string,
    path: string,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ): Promise<Res> {
    const res = await fetch(app.baseUrl + path, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }
  const auth = () => ({ Authorization: `Bearer ${key}` });
  const customers = async () =>
    (
      await app.db.pool.query<{ n: number }>(
        `select count(*)::int as n from es_events where event_type = 'CustomerRegistered' and stream_name like $1`,
        [`${tenant}:%`],
      )
    ).rows[0]!.n;
  /** `depth` nested arrays around 1: depth 1 is [1]. */
  const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

  describe('nesting depth (at most 64)', () => {
    it('JSON nested 5,000 levels deep → 400 validation_failed, with or without credentials', async () => {
      const body = `{"email":"deep@example.com","name":${nested(5000)}}`;
      for (const headers of [{}, auth()]) {
        const res = await raw('POST', '/v1/customers', body, headers);
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors[0].message).to.match(/nested deeper than 64/);
      }
      const objects = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
      expectProblem(await raw('PATCH', '/v1/orders/ord_x', objects, auth()), 400, 'validation_failed');
    });

    it('64 levels are parsed (and then judged by the schema); 65 are refused with the path where it got too deep', async () => {
      const ok = await raw('POST', '/v1/customers', `{"email":"d64@example.com","name":${nested(63)}}`, auth());
      expectProblem(ok, 400, 'validation_failed');
      expect(ok.body.errors[0].message).to.not.match(/nested/);
      const bad = await raw('POST', '/v1/customers', `{"email":"d65@example.com","name":${nested(64)}}`, auth());
      expectProblem(bad, 400, 'validation_failed');
      expect(bad.body.errors[0].path).to.equal(`/name${'/0'.repeat(63)}`);
    });
  });

  describe('encoding', () => {
    it('invalid UTF-8 in the body → 400, nothing stored (not a U+FFFD in the name)', async () => {
      const before = await customers();
      const body = Buffer.concat([
        Buffer.from('{"email":"rene@example.com","name":"Ren'),
        Buffer.from([0xe9]),
        Buffer.from('"}'),
      ]);
      const res = await raw('POST', '/v1/customers', body, auth());
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors[0].message).to.match(/UTF-8/);
      expect(await customers()).to.equal(before);
    });

    it('a charset other than UTF-8 → 415; charset=utf-8 (any case) is fine', async () => {
      const before = await customers();
      const body = JSON.stringify({ email: 'latin@example.com', name: 'René' });
      for (const charset of ['latin1', 'ISO-8859-1', 'utf-16']) {
        const res = await raw('POST', '/v1/customers', body, {
          ...auth(),
          'Content-Type': `application/json; charset=${charset}`,
        });
        expectProblem(res, 415, 'unsupported_media_type');
      }
      expect(await customers()).to.equal(before);
      const ok = await raw('POST', '/v1/customers', body, {
        ...auth(),
        'Content-Type': 'application/json; charset=UTF-8',
      });
      expect(ok.status, ok.text).to.equal(201);
      expect(ok.body.name).to.equal('René');
    });
  });

  describe('duplicate keys', () => {
    it('a key twice in one object → 400 with the path of the duplicate (also when spelt with escapes)', async () => {
      const before = await customers();
      const res = await raw('POST', '/v1/customers', '{"name":"a","email":"dup@example.com","name":"b"}', auth());
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).to.deep.equal([{ path: '/name', message: 'duplicate key' }]);
      const escaped = await raw(
        'POST',
        '/v1/customers',
        '{"name":"a","email":"dup@example.com","n\\u0061me":"b"}',
        auth(),
      );
      expectProblem(escaped, 400, 'validation_failed');
      expect(escaped.body.errors[0].path).to.equal('/name');
      const deep = await raw(
        'POST',
        '/v1/customers',
        '{"name":"a","email":"dup@example.com","addresses":[{"line1":"x"},{"city":"a","line1":"\\"}","city":"b"}]}',
        auth(),
      );
      expectProblem(deep, 400, 'validation_failed');
      expect(deep.body.errors[0].path).to.equal('/addresses/1/city');
      expect(await customers()).to.equal(before);
    });

    it('the same key in sibling objects is not a duplicate', async () => {
      const res = await raw(
        'POST',
        '/v1/customers',
        '{"name":"Sib","email":"sib@example.com","addresses":[{"line1":"a","city":"b","country":"DE"},{"line1":"c","city":"d","country":"FR"}]}',
        auth(),
      );
      expect(res.status, res.text).to.equal(201);
    });
  });

  it('an empty Idempotency-Key header → 400 on header:Idempotency-Key, nothing written', async () => {
    const before = await customers();
    const res = await api.post(
      '/v1/customers',
      { email: 'emptykey@example.com', name: 'Empty Key' },
      { 'Idempotency-Key': '' },
    );
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors[0].path).to.equal('header:Idempotency-Key');
    expect(await customers()).to.equal(before);
  });

  describe('If-Match: *', () => {
    it('matches any current version of an existing resource', async () => {
      const created = await api.post('/v1/customers', { email: 'star@example.com', name: 'Star' });
      expect(created.status).to.equal(201);
      const res = await api.patch(`/v1/customers/${created.body.id}`, { name: 'Star Two' }, { 'If-Match': '*' });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.name).to.equal('Star Two');
      const level = await api.put('/v1/inventory/STAR-1/locations/main', { onHand: 3, reason: 'cycle_count' });
      expect(level.status, level.text).to.equal(200);
      const again = await api.put(
        '/v1/inventory/STAR-1/locations/main',
        { onHand: 4, reason: 'cycle_count' },
        { 'If-Match': '*' },
      );
      expect(again.status, again.text).to.equal(200);
    });

    it('a resource that does not exist → 412 version_mismatch, nothing written', async () => {
      const before = await app.db.pool.query<{ n: number }>('select count(*)::int as n from es_events');
      expectProblem(
        await api.patch('/v1/customers/cus_01hzzzzzzzzzzzzzzzzzzzzzzz', { name: 'x' }, { 'If-Match': '*' }),
        412,
        'version_mismatch',
      );
      expectProblem(
        await api.post('/v1/orders/ord_01hzzzzzzzzzzzzzzzzzzzzzzz/cancel', { reason: 'x' }, { 'If-Match': '*' }),
        412,
        'version_mismatch',
      );
      // PUT of a stock level creates it without If-Match; with `*` it must already exist.
      expectProblem(
        await api.put(
          '/v1/inventory/STAR-NEW/locations/main',
          { onHand: 1, reason: 'cycle_count' },
          { 'If-Match': '*' },
        ),
        412,
        'version_mismatch',
      );
      const after = await app.db.pool.query<{ n: number }>('select count(*)::int as n from es_events');
      expect(after.rows[0]!.n).to.equal(before.rows[0]!.n);
    });
  });

  it('405 carries Allow with the methods of the path', async () => {
    const res = await api.delete('/v1/customers');
    expectProblem(res, 405, 'method_not_allowed');
    const allow = (res.headers.get('allow') ?? '').split(/,\s*/);
    expect(allow).to.include.members(['GET', 'POST']);
    expect(allow).to.not.include('DELETE');
    const order = await api.put('/v1/orders/ord_x', {});
    expectProblem(order, 405, 'method_not_allowed');
    expect(order.headers.get('allow')?.split(/,\s*/)).to.include.members(['GET', 'PATCH']);
  });

  it('a query number that is not finite (1e309, Infinity) → 400 on the parameter, not a 500 or "no limit"', async () => {
    for (const path of [
      '/v1/events?limit=1e309',
      '/v1/events?limit=Infinity',
      '/v1/orders?limit=1e309',
      '/v1/customers?limit=-Infinity',
      '/v1/orders/ord_00000000000000000000000000/events?limit=1e400',
    ]) {
      const res = await api.get(path);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors, path).to.deep.equal([{ path: 'query:/limit', message: 'must be a finite number' }]);
    }
  });

  it('a query text with NUL or a lone surrogate half → 400 on the parameter, not a 500 from the database', async () => {
    for (const [path, name] of [
      ['/v1/orders?customerId=%00', 'customerId'],
      ['/v1/orders?externalId=a%00b', 'externalId'],
      ['/v1/customers?email=x%00%40example.com', 'email'],
    ] as const) {
      const res = await api.get(path);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors, path).to.deep.include({
        path: `query:/${name}`,
        message: 'must not contain NUL or unpaired surrogates',
      });
    }
  });
});
