import type { RouteDeps } from '../http/deps.ts';
import { respond } from '../http/respond.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { dailyOrders, fulfilment, topSkus } from './queries.ts';
import {
  dailyOrdersQuery,
  dailyOrdersSchema,
  fulfilmentQuery,
  fulfilmentSchema,
  topSkusQuery,
  topSkusSchema,
} from './schemas.ts';

// Read-only figures over the analytics.* tables, for the console's charts and anyone without SQL
// access. Like every read model they follow the log a little behind (Oms-Min-Position waits).

export function analyticsRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/analytics/daily-orders',
      operationId: 'getDailyOrders',
      summary:
        'Per UTC day of a range (at most 366 days): orders placed and cancelled, units ordered and shipped, money per currency',
      tag: 'Analytics',
      scope: 'analytics:read',
      query: dailyOrdersQuery,
      responses: { 200: { description: 'Every day of the range, and its totals', schema: dailyOrdersSchema } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await dailyOrders(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/analytics/top-skus',
      operationId: 'getTopSkus',
      summary: 'The SKUs with the most units ordered in a range of UTC days, with the units shipped',
      tag: 'Analytics',
      scope: 'analytics:read',
      query: topSkusQuery,
      responses: { 200: { description: 'SKUs, most units ordered first', schema: topSkusSchema } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await topSkus(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/analytics/fulfilment',
      operationId: 'getFulfilment',
      summary:
        'Fill rate and backorder age of the orders placed in a range of UTC days, and the backorders waiting now',
      tag: 'Analytics',
      scope: 'analytics:read',
      query: fulfilmentQuery,
      responses: { 200: { description: 'Fill rate and backorder figures', schema: fulfilmentSchema } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await fulfilment(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
  ];
}
