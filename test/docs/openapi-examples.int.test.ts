import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { createAjv } from '../../src/schemas/ajv.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

type Json = Record<string, unknown>;

/** Every schema in the document that carries `examples`, with where it sits. */
function schemasWithExamples(node: unknown, at: string, found: { at: string; schema: Json }[] = []) {
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) schemasWithExamples(n, `${at}/${i}`, found);
  } else if (node && typeof node === 'object') {
    const o = node as Json;
    if (Array.isArray(o.examples) && (o.type !== undefined || o.properties !== undefined))
      found.push({ at, schema: o });
    for (const [k, v] of Object.entries(o)) if (k !== 'examples') schemasWithExamples(v, `${at}/${k}`, found);
  }
  return found;
}

/** docs/api.md's JSON examples of a resource (an id cus_/ord_/shp_…) or of a problem. */
function apiMdExamples(): Json[] {
  const md = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const blocks = [...md.matchAll(/```json\n([\s\S]*?)\n```/g)].flatMap((m) => {
    try {
      return [JSON.parse(m[1]!) as Json];
    } catch {
      return []; // a sketch with … in it
    }
  });
  return blocks.filter((b) => /^(cus|ord|shp)_/.test(String(b.id)) || (b.code && b.status));
}

// The examples of docs/api.md are in /openapi.json (JSON Schema `examples` on the route
// definitions' schemas), so the reference page (/docs) shows them; they must stay valid and equal.
describe('examples in /openapi.json', function () {
  this.timeout(120_000);
  let app: TestApp;
  let doc: Json;
  before(async () => {
    app = await startTestApp({ roles: ['api'] });
    doc = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as Json;
  });
  after(async () => app?.stop());

  it('every example validates against the schema it illustrates', () => {
    const found = schemasWithExamples(doc, '#');
    expect(found.length).to.be.greaterThan(5);
    const ajv = createAjv({ coerceTypes: false });
    const invalid = found.flatMap(({ at, schema }) => {
      const validate = ajv.compile(schema);
      return (schema.examples as unknown[]).flatMap((example, i) =>
        validate(example) ? [] : [`${at} examples[${i}]: ${ajv.errorsText(validate.errors)}`],
      );
    });
    expect(invalid).to.deep.equal([]);
  });

  it("docs/api.md's customer, order, shipment and problem examples are the document's", () => {
    const inDoc = schemasWithExamples(doc, '#').flatMap(({ schema }) => schema.examples as unknown[]);
    const fromMd = apiMdExamples();
    expect(fromMd.map((e) => e.id ?? e.code)).to.have.members([
      'cus_01jdx8m3k2n4p5q6r7s8t9v0wx',
      'ord_01jdx9a4b5c6d7e8f9g0h1j2k3',
      'shp_01jdxb7c8d9e0f1g2h3j4k5m6n',
      'validation_failed',
    ]);
    for (const example of fromMd)
      expect(inDoc, `docs/api.md example ${example.id ?? example.code}`).to.deep.include(example);
  });
});
