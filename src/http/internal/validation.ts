import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../../schemas/ajv.ts';
import type { FieldError } from '../problem.ts';

/** Bodies are validated as sent; query and path parameters arrive as strings and are coerced. */
export const bodyAjv = createAjv({ coerceTypes: false });
export const paramAjv = createAjv({ coerceTypes: true });

export function toFieldErrors(errors: ErrorObject[] | null | undefined, root = ''): FieldError[] {
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
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

export type { ValidateFunction };
