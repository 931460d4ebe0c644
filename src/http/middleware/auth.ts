import type { Middleware } from 'koa';
import type { ApiKeys } from '../../auth/api-keys.ts';
import { HttpProblem } from '../problem.ts';
import type { AppState } from '../state.ts';

/** Bearer API key → ctx.state.principal; missing or invalid → 401 with WWW-Authenticate. */
export function authenticate(apiKeys: ApiKeys): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const challenge = { headers: { 'WWW-Authenticate': 'Bearer realm="oms"' } };
    if (!m) throw new HttpProblem(401, 'unauthenticated', 'send an API key as Authorization: Bearer <key>', challenge);
    const principal = await apiKeys.verify(m[1]!);
    if (!principal) throw new HttpProblem(401, 'invalid_credentials', 'the API key is unknown, malformed or revoked', challenge);
    ctx.state.principal = principal;
    return next();
  };
}
