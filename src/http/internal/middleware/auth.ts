import type { Middleware } from 'koa';
import type { Authenticator } from '../../../auth/authenticator.ts';
import { HttpProblem } from '../../problem.ts';
import type { AppState } from '../../state.ts';

/**
 * Bearer API key or OAuth access token → ctx.state.principal; missing or invalid → 401 with
 * WWW-Authenticate. Failures are logged with a reason (never the credential); successes are
 * audited on the access log line (credential id, kind, tenant).
 */
export function authenticate(authenticator: Authenticator): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      ctx.state.log.warn(
        { auth: { outcome: 'failed', reason: header ? 'not_a_bearer_credential' : 'missing' } },
        'authentication failed',
      );
      throw new HttpProblem(
        401,
        'unauthenticated',
        'send an API key or OAuth access token as Authorization: Bearer <credential>',
        {
          headers: { 'WWW-Authenticate': 'Bearer realm="oms"' },
        },
      );
    }
    const outcome = await authenticator.authenticate(m[1]!);
    if (!outcome.ok) {
      ctx.state.log.warn(
        {
          auth: {
            outcome: 'failed',
            kind: outcome.kind,
            reason: outcome.reason,
            claimedCredentialId: outcome.claimedId,
          },
        },
        'authentication failed',
      );
      const detail =
        outcome.kind === 'oauth_client'
          ? outcome.expired
            ? 'the access token has expired; request a new one at /oauth/token'
            : 'the access token is invalid, or its client was revoked'
          : 'the credential is unknown, malformed or revoked';
      throw new HttpProblem(401, 'invalid_credentials', detail, {
        headers: { 'WWW-Authenticate': `Bearer realm="oms", error="invalid_token"` },
      });
    }
    ctx.state.principal = outcome.principal;
    return next();
  };
}
