import type { CommandContext } from '../commands/context.ts';
import type { JobEvent } from './handler.ts';

/** Commands a job issues act for the event's tenant, keep its correlation id and name it as their cause. */
export function jobCommandContext(event: JobEvent, job: string): CommandContext {
  return {
    tenant: event.metadata.tenant,
    actor: `system:${job}`,
    correlationId: event.metadata.correlationId,
    causationId: event.id,
    now: new Date().toISOString(),
  };
}
