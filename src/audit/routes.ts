import { readFeed } from './feed.ts';
import { eventCatalogue } from './event-schemas.ts';
import type { RouteDeps } from '../http/deps.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { eventList, eventTypeList, feedQuery } from './schemas.ts';
import { respond } from '../http/respond.ts';

export function eventRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/event-types',
      operationId: 'listEventTypes',
      summary: 'Every event type in the log with its current version and the JSON Schema of its data',
      tag: 'Audit',
      scope: 'events:read',
      responses: { 200: { description: 'The event catalogue', schema: eventTypeList } },
      async handler({ ctx }) {
        respond(ctx, 200, { data: eventCatalogue(), nextCursor: null });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/events',
      operationId: 'listEvents',
      summary:
        "The tenant's event feed in log order; resume with ?after=<nextCursor>. Personal data (a customer's pii, an order's shippingAddress and notes) reads as redacted without customers:read or orders:read respectively",
      tag: 'Audit',
      scope: 'events:read',
      query: feedQuery,
      responses: { 200: { description: 'A page of the feed', schema: eventList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await readFeed(deps.store, ctx.state.principal!, query));
      },
    }),
  ];
}
