import type { Scope } from '../auth/principal.ts';
import { eventView } from './event-view.ts';
import type { RouteDeps } from '../http/deps.ts';
import { notFound } from '../http/problem.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { IdParams } from '../http/schemas.ts';
import { eventList } from './schemas.ts';
import { respond } from '../http/respond.ts';

interface EntityEventsDef {
  /** e.g. 'customer': used in the summary and the 404 detail. */
  noun: string;
  path: string;
  operationId: string;
  tag: string;
  scope: Scope;
  params: IdParams;
  stream(tenant: string, id: string): string;
}

/** `GET /v1/<entities>/:id/events`: one entity's stream, in order (the audit trail). */
export function entityEventsRoute(deps: RouteDeps, def: EntityEventsDef): RouteDef {
  return defineRoute({
    method: 'GET',
    path: def.path,
    operationId: def.operationId,
    summary: `The ${def.noun}'s events in order (audit trail)`,
    tag: def.tag,
    scope: def.scope,
    params: def.params,
    responses: { 200: { description: `Every event of the ${def.noun}`, schema: eventList } },
    async handler({ ctx, params }) {
      const events = await deps.store.readStream(def.stream(ctx.state.principal!.tenant, params.id));
      if (events.length === 0) throw notFound(`${def.noun} ${params.id}`);
      respond(ctx, 200, { data: events.map(eventView), nextCursor: null });
    },
  });
}
