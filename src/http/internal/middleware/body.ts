import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { cardDataPaths } from '../../../security/card-data.ts';
import { HttpProblem, validationFailed } from '../../problem.ts';
import type { AppState } from '../../state.ts';

/**
 * Reads JSON bodies of POST/PUT/PATCH with a size cap. Anything but JSON is 415; malformed JSON
 * is 400 validation_failed; a body over the cap is 413 (checked on Content-Length before reading);
 * a body with a payment card number anywhere is 422 card_data_not_allowed.
 * The paths in `formPaths` (OAuth's token endpoint) take application/x-www-form-urlencoded
 * instead, handed on as URLSearchParams.
 */
export function jsonBody(limitBytes: number, formPaths: ReadonlySet<string> = new Set()): Middleware<AppState> {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(ctx.method)) return next();
    const length = Number(ctx.get('Content-Length') || '0');
    if (length > limitBytes)
      throw new HttpProblem(413, 'payload_too_large', `the request body exceeds ${limitBytes} bytes`);
    const hasBody = length > 0 || ctx.get('Transfer-Encoding') !== '';
    const form = formPaths.has(ctx.path);
    if (form && hasBody && !ctx.is('application/x-www-form-urlencoded')) {
      throw new HttpProblem(415, 'unsupported_media_type', 'send the body as application/x-www-form-urlencoded');
    }
    if (!form && hasBody && !ctx.is('application/json', 'application/*+json')) {
      throw new HttpProblem(415, 'unsupported_media_type', 'send the body as application/json');
    }
    let raw = '';
    if (hasBody) {
      try {
        raw = await getRawBody(ctx.req, { limit: limitBytes, encoding: 'utf8', length: length || undefined });
      } catch (err) {
        if ((err as { type?: string }).type === 'entity.too.large') {
          throw new HttpProblem(413, 'payload_too_large', `the request body exceeds ${limitBytes} bytes`);
        }
        throw new HttpProblem(400, 'bad_request', 'the request body could not be read');
      }
    }
    ctx.state.rawBody = raw;
    if (form) {
      ctx.state.body = new URLSearchParams(raw);
    } else if (raw.trim() === '') {
      ctx.state.body = undefined;
    } else {
      try {
        ctx.state.body = JSON.parse(raw);
      } catch (err) {
        throw validationFailed(
          [{ path: '', message: `malformed JSON: ${(err as Error).message}` }],
          'the body is not valid JSON',
        );
      }
      const bad = unstorableText(ctx.state.body);
      if (bad !== null)
        throw validationFailed(
          [{ path: bad, message: 'contains a NUL character or an unpaired UTF-16 surrogate' }],
          'the body contains text that is not valid Unicode',
        );
      // PCI DSS scope: refused before any handler, idempotency record or log line sees it.
      const cards = cardDataPaths(ctx.state.body);
      if (cards.length > 0) {
        throw new HttpProblem(
          422,
          'card_data_not_allowed',
          'the request contains what looks like a payment card number; this API never accepts card data',
          {
            errors: cards.map((path) => ({ path, message: 'looks like a payment card number' })),
          },
        );
      }
    }
    return next();
  };
}

/**
 * JSON may spell strings no database text can hold (an unpaired surrogate such as "\ud800", or
 * NUL): they are refused here, for every field and key, with the path of the first one.
 */
function unstorableText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.isWellFormed() && !value.includes('\u0000') ? null : path || '/';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = unstorableText(value[i], `${path}/${i}`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (unstorableText(k) !== null) return `${path}/${k.replace(/[^\x20-\x7e]/g, '?')}`;
      const bad = unstorableText(v, `${path}/${k}`);
      if (bad !== null) return bad;
    }
  }
  return null;
}
