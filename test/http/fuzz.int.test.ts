// Bad-input fuzzing driven by /openapi.json: thousands of generated requests against every
// operation — wrong types, missing and extra fields, huge and odd strings, extreme numbers, wrong
// content types, broken JSON — must never produce a 5xx, and every error must be problem+json.
// Bodies nested too deep, not UTF-8 or with a key twice are sent to every body-taking operation.
// Every response, success or error, must match the schema /openapi.json publishes for its operation
// and status (an undocumented success status is a failure too).
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type Conformance, openApiConformance } from '../support/openapi-conformance.ts';
import { mulberry32 } from '../support/prng.ts';

const REQUESTS = Number(process.env.OMS_FUZZ_REQUESTS ?? 5000);
const SEED = Number(process.env.OMS_TEST_SEED ?? 9157);

type Schema = Record<string, any>;

/** encodeURIComponent, except that a lone surrogate becomes raw invalid UTF-8 (good fuzz too). */
const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
};
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string; schema: Schema }[];
  body?: Schema;
}

describe(`Fuzzing every operation from /openapi.json (${REQUESTS} requests, seed ${SEED})`, function () {
  this.timeout(300_000);
  let app: TestApp;
  let key: string;
  let ops: Operation[];
  let contract: Conformance;
  const ids: Record<string, string> = {};

  before(async () => {
    app = await startTestApp();
    key = (await app.key(['*'])).key;
    const doc = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as any;
    contract = openApiConformance(doc);
    ops = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(methods)) {
        ops.push({
          method: method.toUpperCase(),
          path,
          params: op.parameters ?? [],
          body: op.requestBody?.content?.['application/json']?.schema,
        });
      }
    }
    // A few real resources so some requests reach deep into handlers.
    const h = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
    const c: any = await (
      await fetch(`${app.baseUrl}/v1/customers`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ email: 'fuzz@example.com', name: 'Fuzz' }),
      })
    ).json();
    ids.cus = c.id;
    await fetch(`${app.baseUrl}/v1/inventory/adjustments`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ sku: 'FUZZ-1', delta: 5, reason: 'received' }),
    });
    const o: any = await (
      await fetch(`${app.baseUrl}/v1/orders`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({
          customerId: c.id,
          currency: 'EUR',
          lines: [{ sku: 'FUZZ-1', quantity: 1, unitPrice: 1 }],
          shippingAddress: { line1: 'a', city: 'b', country: 'DE' },
        }),
      })
    ).json();
    ids.ord = o.id;
  });
  after(async () => app?.stop());

  it('answers every body-taking operation that gets deep nesting, bytes that are not UTF-8 or a key twice with a 4xx problem+json', async () => {
    const deep = (n: number) => `${'{"a":['.repeat(n)}1${']}'.repeat(n)}`;
    const bodies: Record<string, Buffer> = {
      'nested 5,000 deep': Buffer.from(deep(5000)),
      'nested 100,000 deep': Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)),
      'invalid UTF-8': Buffer.concat([Buffer.from('{"name":"Ren'), Buffer.from([0xe9]), Buffer.from('"}')]),
      'a truncated UTF-8 sequence': Buffer.concat([
        Buffer.from('{"name":"'),
        Buffer.from([0xe2, 0x82]),
        Buffer.from('"}'),
      ]),
      'a duplicate key': Buffer.from('{"name":"a","name":"b"}'),
      'a duplicate key, nested': Buffer.from('{"x":[{"k":1,"k":2}]}'),
    };
    const filled = (op: Operation) =>
      op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name === 'id' && op.path.startsWith('/v1/orders') ? ids.ord! : name === 'id' ? ids.cus! : 'FUZZ-1',
      );
    const failures: string[] = [];
    for (const op of ops.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method))) {
      for (const [what, body] of Object.entries(bodies)) {
        for (const auth of [true, false]) {
          const res = await fetch(`${app.baseUrl}${filled(op)}`, {
            method: op.method,
            headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${key}` } : {}) },
            body,
          });
          const text = await res.text();
          const problem = res.headers.get('content-type')?.startsWith('application/problem+json');
          // The body is judged before credentials, so with or without them the answer is 400 (the
          // form-only token endpoint refuses JSON first: 415).
          if (!(res.status === 400 || res.status === 415) || !problem || !/"code":"[a-z_]+"/.test(text))
            failures.push(
              `${op.method} ${op.path} ${what}${auth ? '' : ' (no credentials)'} → ${res.status} ${text.slice(0, 200)}`,
            );
          const template = contract.templateFor(op.method, filled(op)) ?? op.path;
          const mismatch = contract.mismatch({ status: res.status, headers: res.headers, text }, op.method, template);
          if (mismatch) failures.push(`${what}: ${mismatch}`);
        }
      }
    }
    expect(failures.slice(0, 10), `${failures.length} failures`).to.deep.equal([]);
  });

  it('never answers 5xx, and every error is a valid problem+json', async () => {
    const rand = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const weird = [
      '',
      ' ',
      '\u0000',
      '\u202e\u202d',
      '💥'.repeat(500),
      'ﷺ'.repeat(100),
      'a'.repeat(70_000),
      '../../etc/passwd',
      "' or 1=1 --",
      '<script>alert(1)</script>',
      '%00',
      '\ud800',
      'null',
      '1e309',
      '4111111111111111',
    ];
    const numbers = [0, -1, 1.5, -0, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER + 2];
    const anyValue = (): unknown =>
      pick<() => unknown>([
        () => pick(weird),
        () => pick(numbers),
        () => null,
        () => true,
        () => [],
        () => ({}),
        () => [pick(weird)],
        () => ({ x: pick(numbers) }),
      ])();

    // A value that satisfies the schema as far as it is easy to, so mutations are near misses.
    const sample = (s: Schema | undefined, depth = 0): unknown => {
      if (!s || depth > 4) return 'x';
      if (s.enum) return pick(s.enum);
      if (s.const !== undefined) return s.const;
      if (s.anyOf) return sample(pick(s.anyOf), depth + 1);
      const type = Array.isArray(s.type) ? pick(s.type) : s.type;
      switch (type) {
        case 'object': {
          const out: Record<string, unknown> = {};
          for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>))
            if ((s.required ?? []).includes(k) || rand() < 0.5) out[k] = sample(v, depth + 1);
          return out;
        }
        case 'array':
          return Array.from({ length: 1 + Math.floor(rand() * 2) }, () => sample(s.items, depth + 1));
        case 'integer':
          return Math.floor(rand() * 5) + (s.minimum ?? 0);
        case 'number':
          return rand() * 10;
        case 'boolean':
          return rand() < 0.5;
        case 'null':
          return null;
        default:
          if (s.format === 'email') return `f${Math.floor(rand() * 1e6)}@example.com`;
          if (s.format === 'date-time') return new Date().toISOString();
          if (s.pattern?.startsWith('^cus_')) return ids.cus;
          if (s.pattern?.startsWith('^ord_')) return ids.ord;
          if (s.pattern?.includes('[A-Z]{2}')) return 'DE';
          if (s.pattern?.includes('[A-Z]{3}')) return 'EUR';
          return 'FUZZ-1';
      }
    };

    const mutate = (v: unknown, depth = 0): unknown => {
      if (v && typeof v === 'object' && !Array.isArray(v) && depth < 4) {
        const o = { ...(v as Record<string, unknown>) };
        const keys = Object.keys(o);
        const r = rand();
        if (r < 0.25 && keys.length) delete o[pick(keys)];
        else if (r < 0.45)
          o[pick(['isAdmin', 'tenant', 'status', 'totals', '__proto__', 'constructor', pick(weird).slice(0, 20)])] =
            anyValue();
        else if (keys.length) {
          const k = pick(keys);
          o[k] = rand() < 0.5 ? anyValue() : mutate(o[k], depth + 1);
        }
        return o;
      }
      if (Array.isArray(v) && depth < 4)
        return rand() < 0.3 ? [] : rand() < 0.5 ? v.map((x) => mutate(x, depth + 1)) : [...v, anyValue()];
      return anyValue();
    };

    const fill = (op: Operation, good: boolean) =>
      op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
        const p = op.params.find((x) => x.name === name);
        if (good && p?.schema.pattern?.startsWith('^cus_')) return ids.cus!;
        if (good && p?.schema.pattern?.startsWith('^ord_')) return ids.ord!;
        return enc(String(good ? sample(p?.schema) : anyValue()).slice(0, 2000));
      });

    const counts: Record<string, number> = {};
    const failures: string[] = [];
    const send = async (i: number) => {
      const op = pick(ops);
      let url = fill(op, rand() < 0.7);
      const query = op.params.filter((p) => p.in === 'query');
      if (query.length && rand() < 0.6) {
        const qs = query
          .filter(() => rand() < 0.5)
          .map((p) => `${enc(p.name)}=${enc(String(rand() < 0.5 ? sample(p.schema) : anyValue()).slice(0, 2000))}`);
        if (rand() < 0.2) qs.push(`${enc(pick(weird).slice(0, 10))}=1`);
        if (qs.length) url += `?${qs.join('&')}`;
      }
      const headers: Record<string, string> = {};
      // Header values must be visible ASCII for the client to send them at all.
      const header = (name: string, value: string) => {
        const v = value.replace(/[^\x21-\x7e]/g, '').slice(0, 300);
        if (v) headers[name] = v;
      };
      if (rand() < 0.95) headers.Authorization = `Bearer ${key}`;
      if (rand() < 0.1) header('If-Match', String(anyValue()));
      if (rand() < 0.1)
        header('Idempotency-Key', rand() < 0.8 ? `fuzz-${i}-${Math.floor(rand() * 3)}` : 'k'.repeat(300));
      if (rand() < 0.05) header('Oms-Min-Position', String(anyValue()));
      let body: string | undefined;
      if (['POST', 'PUT', 'PATCH'].includes(op.method)) {
        const r = rand();
        headers['Content-Type'] =
          r < 0.9
            ? 'application/json'
            : pick([
                'text/plain',
                'application/x-www-form-urlencoded',
                'application/json; charset=latin1',
                'multipart/form-data',
              ]);
        const valid = sample(op.body);
        const doc = rand() < 0.15 ? valid : mutate(valid);
        body = rand() < 0.08 ? JSON.stringify(doc).slice(0, Math.floor(rand() * 20)) : JSON.stringify(doc);
      }
      let res: Response;
      try {
        res = await fetch(`${app.baseUrl}${url}`, { method: op.method, headers, body });
      } catch (err) {
        failures.push(`${op.method} ${url}: request failed: ${(err as Error).message}`);
        return;
      }
      const text = await res.text();
      counts[res.status] = (counts[res.status] ?? 0) + 1;
      // An empty path parameter leaves a trailing slash: the router answers the operation that URL names.
      const template = contract.templateFor(op.method, url.split('?')[0]!) ?? op.path;
      const mismatch = contract.mismatch({ status: res.status, headers: res.headers, text }, op.method, template);
      if (mismatch) failures.push(`${url} ${body?.slice(0, 200) ?? ''}: ${mismatch}`);
      if (res.status >= 500)
        failures.push(`${op.method} ${url} ${body?.slice(0, 200)} → ${res.status} ${text.slice(0, 200)}`);
      else if (res.status >= 400) {
        let p: any;
        try {
          p = JSON.parse(text);
        } catch {
          p = null;
        }
        const ok =
          res.headers.get('content-type')?.startsWith('application/problem+json') &&
          p &&
          typeof p.type === 'string' &&
          typeof p.title === 'string' &&
          p.status === res.status &&
          typeof p.detail === 'string' &&
          /^[a-z_]+$/.test(p.code) &&
          !/\.ts:\d+|at [A-Za-z]+ \(/.test(text);
        if (!ok) failures.push(`${op.method} ${url} → ${res.status} not a valid problem: ${text.slice(0, 200)}`);
      }
    };
    for (let i = 0; i < REQUESTS; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => send(i + j)));
    // Rejected by Node's HTTP parser before any middleware: still a problem+json.
    const long = await fetch(`${app.baseUrl}/v1/orders/${'a'.repeat(20_000)}`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(long.status).to.equal(431);
    expect(long.headers.get('content-type')).to.equal('application/problem+json');
    const longText = await long.text();
    expect(JSON.parse(longText)).to.include({ status: 431, code: 'headers_too_large' });
    const longMismatch = contract.mismatch(
      { status: 431, headers: long.headers, text: longText },
      'GET',
      '/v1/orders/{id}',
    );
    if (longMismatch) failures.push(longMismatch);
    console.log(`      status counts: ${JSON.stringify(counts)}`);
    console.log(`      operation × status pairs checked against their schema: ${contract.checked.size}`);
    for (const f of failures.slice(0, 15)) console.log(`      FAIL ${f}`);
    expect(failures.slice(0, 10), `${failures.length} failures`).to.deep.equal([]);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).to.equal(REQUESTS);
  });
});
