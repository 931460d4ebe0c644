import { readFeed } from '../../audit/feed.ts';
import type { RouteDeps } from '../deps.ts';
import { defineRoute, type RouteDef } from '../route.ts';
import { eventList, feedQuery } from '../schemas/audit.ts';
import { respond } from '../versioning.ts';

export function eventRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute<unknown, { after?: string; types?: string; limit: number }>({
      method: 'GET',
      path: '/v1/events',
      operationId: 'listEvents',
      summary: "The tenant's event feed in log order; resume with ?after=<nextCursor>",
      tag: 'Audit',
      scope: 'events:read',
      query: feedQuery,
      responses: { 200: { description: 'A page of the feed', schema: eventList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await readFeed(deps.store, ctx.state.principal!.tenant, query));
      },
    }),
  ];
}
