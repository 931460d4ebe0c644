import { returnDecider } from '../../domain/returns/decider.ts';
import type { ActiveReturn } from '../../domain/returns/state.ts';
import { entityEventsRoute } from '../audit/entity-events-route.ts';
import { getByIdRoute } from '../audit/get-by-id-route.ts';
import { commandContext } from '../http/command-context.ts';
import type { RouteDeps } from '../http/deps.ts';
import { notFound } from '../http/problem.ts';
import { respond } from '../http/respond.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { orderIdParams } from '../orders/schemas.ts';
import { approveReturn, receiveReturn, recordReturnRefund, rejectReturn, requestReturn } from './commands.ts';
import { getReturn, listReturns } from './queries.ts';
import {
  listReturnsQuery,
  orderReturnsQuery,
  receiveReturnBody,
  refundBody,
  rejectReturnBody,
  requestReturnBody,
  returnIdParams,
  returnList,
  returnSchema,
} from './schemas.ts';
import { returnStream } from './streams.ts';
import { returnView } from './view.ts';

const TAG = 'Returns';

export function returnRoutes(deps: RouteDeps): RouteDef[] {
  const ok = { 200: { description: 'The return', schema: returnSchema } };
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/orders/:id/returns',
      operationId: 'requestReturn',
      summary: 'Request the return of shipped units (at most shipped minus what other returns claim)',
      tag: TAG,
      scope: 'orders:write',
      params: orderIdParams,
      body: requestReturnBody,
      responses: { 201: { description: 'The return (status requested)', schema: returnSchema } },
      async handler({ ctx, params, body }) {
        const res = await requestReturn(deps, commandContext(ctx), {
          orderId: params.id,
          lines: body.lines,
          note: body.note ?? null,
        });
        respond(ctx, 201, res.return, {
          version: res.return.version,
          position: res.position,
          location: `/v1/returns/${res.return.id}`,
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/returns/:id/approve',
      operationId: 'approveReturn',
      summary: 'Approve a requested return',
      tag: TAG,
      scope: 'orders:write',
      params: returnIdParams,
      responses: ok,
      async handler({ ctx, params }) {
        const res = await approveReturn(deps, commandContext(ctx), params.id);
        respond(ctx, 200, res.return, { version: res.return.version, position: res.position });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/returns/:id/reject',
      operationId: 'rejectReturn',
      summary: 'Reject a requested return (its units can be claimed by another return again)',
      tag: TAG,
      scope: 'orders:write',
      params: returnIdParams,
      body: rejectReturnBody,
      responses: ok,
      async handler({ ctx, params, body }) {
        const res = await rejectReturn(deps, commandContext(ctx), params.id, body.reason);
        respond(ctx, 200, res.return, { version: res.return.version, position: res.position });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/returns/:id/receive',
      operationId: 'receiveReturn',
      summary:
        'Receive approved units back: resellable ones go on hand at the location, damaged ones only into the ledger',
      tag: TAG,
      scope: 'orders:write',
      params: returnIdParams,
      body: receiveReturnBody,
      responses: ok,
      async handler({ ctx, params, body }) {
        const res = await receiveReturn(deps, commandContext(ctx), params.id, body);
        respond(ctx, 200, res.return, { version: res.return.version, position: res.position });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/returns/:id/refunds',
      operationId: 'recordReturnRefund',
      summary: 'Record a refund paid for an approved or received return',
      tag: TAG,
      scope: 'orders:write',
      params: returnIdParams,
      body: refundBody,
      responses: { 201: { description: 'The return with the refund', schema: returnSchema } },
      async handler({ ctx, params, body }) {
        const res = await recordReturnRefund(deps, commandContext(ctx), params.id, body);
        respond(ctx, 201, res.return, { version: res.return.version, position: res.position });
      },
    }),
    getByIdRoute(deps, {
      noun: 'return',
      path: '/v1/returns/:id',
      operationId: 'getReturn',
      summary: 'A return (?asOf / ?version: as it was)',
      tag: TAG,
      scope: 'orders:read',
      params: returnIdParams,
      schema: returnSchema,
      read: (tenant, id) => getReturn(deps.knex, tenant, id),
      stream: returnStream,
      decider: returnDecider,
      existed: (s): s is ActiveReturn => s.status !== 'none',
      view: returnView,
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/returns',
      operationId: 'listReturns',
      summary: 'List returns, newest first; filter by orderId and status',
      tag: TAG,
      scope: 'orders:read',
      query: listReturnsQuery,
      responses: { 200: { description: 'A page of returns', schema: returnList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await listReturns(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/orders/:id/returns',
      operationId: 'listOrderReturns',
      summary: "An order's returns, newest first",
      tag: TAG,
      scope: 'orders:read',
      params: orderIdParams,
      query: orderReturnsQuery,
      responses: { 200: { description: 'A page of returns', schema: returnList } },
      async handler({ ctx, params, query }) {
        const tenant = ctx.state.principal!.tenant;
        const order = await deps.knex('orders').where({ tenant, id: params.id }).first('id');
        if (!order) throw notFound('order', params.id);
        respond(ctx, 200, await listReturns(deps.knex, tenant, { ...query, orderId: params.id }));
      },
    }),
    entityEventsRoute(deps, {
      noun: 'return',
      path: '/v1/returns/:id/events',
      operationId: 'getReturnEvents',
      tag: TAG,
      scope: 'orders:read',
      params: returnIdParams,
      stream: returnStream,
    }),
  ];
}
