import type { ParameterizedContext } from 'koa';
import { formatPosition, type Position } from '../eventstore/port.ts';
import { HttpProblem } from './problem.ts';
import type { AppState } from './state.ts';

/**
 * If-Match: "<version>" (weak or bare forms accepted) → `{ expectedVersion }`, the version a command
 * must find; `*` → `{ expectedVersion: '*' }`, any version of an existing resource; `{}` without the
 * header. Spread it into the command's input.
 */
export function ifMatch(ctx: ParameterizedContext<AppState>): { expectedVersion?: number | '*' } {
  const raw = ctx.get('If-Match').trim();
  if (!raw) return {};
  if (raw === '*') return { expectedVersion: '*' };
  const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(raw);
  if (!m) {
    throw new HttpProblem(400, 'validation_failed', 'If-Match must be an ETag of this API, e.g. "3"', {
      errors: [{ path: 'header:If-Match', message: 'must be an ETag such as "3"' }],
    });
  }
  return { expectedVersion: Number(m[1]) };
}

/** Status, body, ETag and (for commands) Oms-Position in one place. */
export function respond(
  ctx: ParameterizedContext<AppState>,
  status: number,
  body: unknown,
  opts: { version?: number; position?: Position | null; location?: string } = {},
): void {
  ctx.status = status;
  ctx.body = body;
  if (opts.version !== undefined) ctx.set('ETag', `"${opts.version}"`);
  if (opts.position) ctx.set('Oms-Position', formatPosition(opts.position));
  if (opts.location) ctx.set('Location', opts.location);
}
