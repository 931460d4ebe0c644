import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../../schemas/ajv.ts';
import type { FieldError } from '../problem.ts';

/** Bodies are validated as sent; query and path parameters arrive as strings and are coerced. */
export const bodyAjv = createAjv({ coerceTypes: false });
export const paramAjv = createAjv({ coerceTypes: true });

/** The subschema at an error's schemaPath ("#/properties/delta/not"), when it lies in `schema`. */
function subschema(schema: unknown, schemaPath: string): unknown {
  if (!schemaPath.startsWith('#/')) return undefined;
  let at: unknown = schema;
  for (const part of schemaPath.slice(2).split('/')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return at;
}

/** ajv's "must NOT be valid" says nothing: name the excluded value(s) of a `not` instead. */
function notMessage(excluded: unknown): string {
  if (excluded && typeof excluded === 'object') {
    const s = excluded as { const?: unknown; enum?: unknown[] };
    if ('const' in s) return `must not be ${JSON.stringify(s.const)}`;
    if (Array.isArray(s.enum)) return `must not be any of: ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return 'has a value that is not allowed';
}

/** ajv errors as field errors; `schema` (the validated schema) lets `not` errors name what is excluded. */
export function toFieldErrors(errors: ErrorObject[] | null | undefined, root = '', schema?: unknown): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    let path = root + e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path += `/${String(e.params.additionalProperty)}`;
      message = 'is not a known property';
    } else if (e.keyword === 'required') {
      path += `/${String(e.params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    } else if (e.keyword === 'not') {
      message = notMessage(subschema(schema, e.schemaPath));
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

/**
 * ajv coerces "1e309" or "Infinity" to ±Infinity and then lets it through `integer`, `minimum` and
 * `maximum` (the fuzzer found ?limit=1e309: a 500 on /v1/events, silently no limit on the lists), so
 * a coerced parameter that is a number but not a finite one is refused here, after ajv.
 */
export function nonFiniteErrors(values: Record<string, unknown>, root: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(values)) {
    const items = Array.isArray(value) ? value : [value];
    if (items.some((v) => typeof v === 'number' && !Number.isFinite(v)))
      errors.push({ path: `${root}/${name}`, message: 'must be a finite number' });
  }
  return errors;
}

/**
 * Query values no database text can hold (NUL, an unpaired surrogate from a percent-encoded lone
 * half): refused as bad input before they reach a query (Postgres would fail the statement: a 500).
 */
export function unstorableTextErrors(values: Record<string, unknown>, root: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(values)) {
    const items = Array.isArray(value) ? value : [value];
    if (items.some((v) => typeof v === 'string' && (!v.isWellFormed() || v.includes('\u0000'))))
      errors.push({ path: `${root}/${name}`, message: 'must not contain NUL or unpaired surrogates' });
  }
  return errors;
}

export type { ValidateFunction };
