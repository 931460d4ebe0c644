import type { ParameterizedContext } from 'koa';
import type { CommandContext } from '../commands/context.ts';
import type { AppState } from './state.ts';

/** The request as a command context: tenant and actor from the credential, the clock read here. */
export function commandContext(ctx: ParameterizedContext<AppState>): CommandContext {
  const principal = ctx.state.principal!;
  const key = ctx.get('Idempotency-Key');
  return {
    tenant: principal.tenant,
    actor: principal.id,
    correlationId: ctx.state.requestId,
    causationId: null,
    ...(key ? { idempotencyKey: key } : {}),
    ...(ctx.state.idempotency ? { idempotency: ctx.state.idempotency } : {}),
    now: new Date().toISOString(),
  };
}
