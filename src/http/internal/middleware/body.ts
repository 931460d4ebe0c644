import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { cardDataPaths } from '../../../security/card-data.ts';
import { HttpProblem, validationFailed } from '../../problem.ts';
import type { AppState } from '../../state.ts';

/** The deepest nesting of objects and arrays a JSON body may have (`{}` is 1). */
export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads JSON bodies of POST/PUT/PATCH with a size cap. Anything but JSON is 415, and so is a
 * charset other than UTF-8; bytes that are not UTF-8, malformed JSON, nesting deeper than
 * MAX_JSON_DEPTH and a key twice in one object are 400 validation_failed; a body over the cap is
 * 413 (checked on Content-Length before reading); a body with a payment card number anywhere is
 * 422 card_data_not_allowed.
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
    const charset = ctx.request.charset.toLowerCase();
    if (hasBody && charset !== '' && charset !== 'utf-8' && charset !== 'utf8') {
      throw new HttpProblem(415, 'unsupported_media_type', 'send the body in UTF-8 (charset=utf-8, or no charset)');
    }
    let raw = '';
    if (hasBody) {
      let bytes: Buffer;
      try {
        bytes = await getRawBody(ctx.req, { limit: limitBytes, length: length || undefined });
      } catch (err) {
        if ((err as { type?: string }).type === 'entity.too.large') {
          throw new HttpProblem(413, 'payload_too_large', `the request body exceeds ${limitBytes} bytes`);
        }
        throw new HttpProblem(400, 'bad_request', 'the request body could not be read');
      }
      try {
        raw = utf8.decode(bytes);
      } catch {
        throw validationFailed([{ path: '', message: 'is not valid UTF-8' }], 'the body is not valid UTF-8');
      }
    }
    ctx.state.rawBody = raw;
    if (form) {
      ctx.state.body = new URLSearchParams(raw);
    } else if (raw.trim() === '') {
      ctx.state.body = undefined;
    } else {
      // Before JSON.parse, without recursion: everything after it (the checks below, ajv, the
      // idempotency fingerprint) walks the value recursively, safe only for bounded depth.
      const found = scanJson(raw, MAX_JSON_DEPTH);
      if (found?.kind === 'too_deep') {
        throw validationFailed(
          [{ path: found.path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` }],
          `the body is nested deeper than ${MAX_JSON_DEPTH} levels`,
        );
      }
      try {
        ctx.state.body = JSON.parse(raw);
      } catch (err) {
        throw validationFailed(
          [{ path: '', message: `malformed JSON: ${(err as Error).message}` }],
          'the body is not valid JSON',
        );
      }
      if (found?.kind === 'duplicate_key') {
        throw validationFailed(
          [{ path: found.path, message: 'duplicate key' }],
          'an object in the body has the same key twice',
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

type Frame = { array: true; index: number } | { array: false; keys: Set<string>; key: string | null };

/**
 * One pass over JSON text with an explicit stack (no recursion, so any depth is safe): the first
 * container nested deeper than `maxDepth`, or else the first key that appears twice in one object
 * (compared decoded, so "a" and "\u0061" are the same key), with its JSON Pointer. Only text that
 * JSON.parse accepts gets a meaningful answer for duplicates; depth is counted on any text.
 */
export function scanJson(text: string, maxDepth: number): { kind: 'too_deep' | 'duplicate_key'; path: string } | null {
  const stack: Frame[] = [];
  let duplicate: string | null = null;
  let expectKey = false;
  const pointer = () =>
    stack
      .map((f) => (f.array ? String(f.index) : (f.key ?? '')))
      .map((p) => `/${p.replaceAll('~', '~0').replaceAll('/', '~1')}`)
      .join('');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top && !top.array && duplicate === null) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          key = text.slice(i + 1, j);
        }
        top.key = key;
        if (top.keys.has(key)) duplicate = pointer();
        top.keys.add(key);
      }
      expectKey = false;
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxDepth) return { kind: 'too_deep', path: pointer() };
      stack.push(c === 0x5b ? { array: true, index: 0 } : { array: false, keys: new Set(), key: null });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      expectKey = top !== undefined && !top.array;
    }
  }
  return duplicate === null ? null : { kind: 'duplicate_key', path: duplicate };
}
