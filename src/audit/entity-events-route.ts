import type { Scope } from '../auth/principal.ts';
import { eventView } from './event-view.ts';
import type { RouteDeps } from '../http/deps.ts';
import { type NotFoundNoun, notFound } from '../http/problem.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import type { IdParams } from '../http/schemas.ts';
import { decodeRevisionCursor, encodeRevisionCursor } from '../queries/pagination.ts';
import { eventList, historyQuery } from './schemas.ts';
import { respond } from '../http/respond.ts';

interface EntityEventsDef {
  /** e.g. 'customer': used in the summary and the 404 detail. */
  noun: NotFoundNoun;
  path: string;
  operationId: string;
  tag: string;
  scope: Scope;
  params: IdParams;
  stream(tenant: string, id: string): string;
}

/**
 * `GET /v1/<entities>/:id/events`: one entity's stream (the audit trail), a page at a time in
 * stream order, oldest first. The cursor is the revision of the last event served.
 */
export function entityEventsRoute(deps: RouteDeps, def: EntityEventsDef): RouteDef {
  return defineRoute({
    method: 'GET',
    path: def.path,
    operationId: def.operationId,
    summary: `The ${def.noun}'s events in stream order, oldest first (audit trail)`,
    tag: def.tag,
    scope: def.scope,
    params: def.params,
    query: historyQuery,
    responses: { 200: { description: `A page of the ${def.noun}'s events`, schema: eventList } },
    async handler({ ctx, params, query }) {
      // The stream name starts with the caller's tenant: another tenant's id is a stream that does not exist.
      const stream = def.stream(ctx.state.principal!.tenant, params.id);
      const after = decodeRevisionCursor(query.cursor);
      const events = await deps.store.readStream(stream, {
        fromRevision: after === null ? 0 : after + 1,
        maxCount: query.limit + 1,
      });
      if (
        events.length === 0 &&
        (after === null || (await deps.store.readStream(stream, { maxCount: 1 })).length === 0)
      )
        throw notFound(def.noun, `${def.noun} ${params.id}`);
      const data = events.slice(0, query.limit);
      const last = data.at(-1);
      respond(ctx, 200, {
        data: data.map(eventView),
        nextCursor: events.length > query.limit && last ? encodeRevisionCursor(last.revision) : null,
      });
    },
  });
}
