// Checks an HTTP response against what /openapi.json publishes for its operation and status: the
// status is documented (explicitly, or an error under `default`), the media type is one the response
// declares, and the body validates against that schema. Shared by the contract test (a realistic
// flow) and the fuzzer (every response it gets).
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

export type OpenApiDoc = any;

/** What a check needs of a response (a fetch Response's parts, or test/support/http.ts's Res). */
export interface ResponseSeen {
  status: number;
  headers: Headers;
  text: string;
}

/** JSON Pointer escaping of one reference token. */
const token = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export interface Conformance {
  /**
   * The documented path template a request to `path` (no query) is routed to, as the router matches:
   * a trailing slash is optional, a literal segment wins over a parameter. null when none matches.
   */
  templateFor(method: string, path: string): string | null;
  /** null when the response conforms, else what is wrong (with the start of the body). */
  mismatch(res: ResponseSeen, method: string, template: string): string | null;
  /** `METHOD /template <status or default>` of every response checked so far. */
  readonly checked: Set<string>;
}

/**
 * The document as one schema resource (so `$ref`s to #/components/... resolve inside it), compiled
 * lazily per response schema. The project's ajv options (src/schemas/ajv.ts) except `strict`: the
 * document's own keywords (openapi, paths, ...) are not JSON Schema.
 */
export function openApiConformance(doc: OpenApiDoc): Conformance {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');
  const checked = new Set<string>();

  function mismatch(res: ResponseSeen, method: string, template: string): string | null {
    const where = `${method} ${template} → ${res.status}`;
    const fail = (what: string) => `${where}: ${what}\n${res.text.slice(0, 500)}`;
    const op = doc.paths[template]?.[method.toLowerCase()];
    if (!op) return fail('the operation is not documented');
    const status = String(res.status);
    const declared = op.responses[status] ? status : 'default';
    if (declared !== status && res.status < 400) return fail('the status is not documented');
    checked.add(`${method} ${template} ${declared}`);
    if (res.status === 204) return res.text === '' ? null : fail('a 204 with a body');
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const content = op.responses[declared]?.content ?? {};
    if (!(mediaType in content))
      return fail(`${mediaType || 'no content type'} is not documented (${Object.keys(content).join(', ')})`);
    const pointer = ['paths', template, method.toLowerCase(), 'responses', declared, 'content', mediaType, 'schema']
      .map(token)
      .join('/');
    const validate = ajv.getSchema(`openapi.json#/${pointer}`) as ValidateFunction | undefined;
    if (!validate) return fail('no schema');
    let body: unknown = res.text;
    if (mediaType.endsWith('json')) {
      try {
        body = JSON.parse(res.text);
      } catch {
        return fail('the body is not JSON');
      }
    }
    return validate(body) ? null : fail(ajv.errorsText(validate.errors));
  }

  const matchers = Object.keys(doc.paths as object).map((template) => ({
    template,
    regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}/?$`),
    parameters: (template.match(/\{/g) ?? []).length,
  }));
  function templateFor(method: string, path: string): string | null {
    const found = matchers
      .filter((m) => doc.paths[m.template][method.toLowerCase()] && m.regex.test(path))
      .sort((a, b) => a.parameters - b.parameters)[0];
    return found?.template ?? null;
  }

  return { templateFor, mismatch, checked };
}
