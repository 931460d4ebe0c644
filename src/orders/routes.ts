import { orderDecider } from '../../domain/orders/decider.ts';
import type { PlacedOrder } from '../../domain/orders/state.ts';
import { diff } from '../audit/diff.ts';
import { eventView } from '../audit/event-view.ts';
import { foldRecorded } from '../commands/load.ts';
import {
  cancelOrder,
  orderStream,
  placeHold,
  placeOrder,
  recordPayment,
  releaseHold,
  updateOrder,
} from './commands.ts';
import { orderView } from './view.ts';
import { getOrder, listOrders } from './queries.ts';
import { commandContext } from '../http/command-context.ts';
import { locationCode } from '../inventory/streams.ts';
import type { RouteDeps } from '../http/deps.ts';
import { notFound, validationFailed } from '../http/problem.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { entityEventsRoute } from '../audit/entity-events-route.ts';
import { getByIdRoute } from '../audit/get-by-id-route.ts';
import {
  cancelOrderBody,
  createOrderBody,
  diffOrderQuery,
  holdParams,
  holdSchema,
  listOrdersQuery,
  orderDiffSchema,
  orderIdParams,
  orderList,
  orderSchema,
  patchOrderBody,
  paymentSchema,
  placeHoldBody,
  recordPaymentBody,
} from './schemas.ts';
import { ifMatch, respond } from '../http/respond.ts';

export function orderRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/orders',
      operationId: 'createOrder',
      summary: 'Place an order (status pending; allocation runs asynchronously → confirmed or backordered)',
      tag: 'Orders',
      scope: 'orders:write',
      idempotencyInAppend: true,
      body: createOrderBody,
      responses: { 201: { description: 'The placed order', schema: orderSchema } },
      async handler({ ctx, body }) {
        const { order, position } = await placeOrder(deps, commandContext(ctx), {
          customerId: body.customerId,
          currency: body.currency,
          lines: body.lines,
          shippingAddress: body.shippingAddress,
          externalId: body.externalId ?? null,
          notes: body.notes ?? null,
          ...(body.shipping
            ? { shipping: { amount: body.shipping.amount, method: body.shipping.method ?? null } }
            : {}),
          ...(body.preferredLocations?.length
            ? { preferredLocations: [...new Set(body.preferredLocations.map(locationCode))] }
            : {}),
        });
        respond(ctx, 201, order, { version: order.version, position, location: `/v1/orders/${order.id}` });
      },
    }),
    getByIdRoute(deps, {
      noun: 'order',
      path: '/v1/orders/:id',
      operationId: 'getOrder',
      summary: 'Get an order (?asOf=<time> or ?version=<n>: as it was, folded from its events)',
      tag: 'Orders',
      scope: 'orders:read',
      params: orderIdParams,
      schema: orderSchema,
      read: (tenant, id) => getOrder(deps.pool, tenant, id),
      stream: orderStream,
      decider: orderDecider,
      existed: (s): s is PlacedOrder => s.status !== 'none',
      view: orderView,
    }),
    defineRoute({
      method: 'PATCH',
      path: '/v1/orders/:id',
      operationId: 'updateOrder',
      summary:
        'Change lines (with their discount and tax), shipping, shipping address or notes while pending, confirmed or backordered; new lines are re-allocated',
      tag: 'Orders',
      scope: 'orders:write',
      params: orderIdParams,
      body: patchOrderBody,
      responses: { 200: { description: 'The updated order', schema: orderSchema } },
      async handler({ ctx, params, body }) {
        const { shipping, ...changes } = body;
        const { order, position } = await updateOrder(deps, commandContext(ctx), {
          orderId: params.id,
          ...changes,
          ...(shipping ? { shipping: { amount: shipping.amount, method: shipping.method ?? null } } : {}),
          ...ifMatch(ctx),
        });
        respond(ctx, 200, order, { version: order.version, position });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/orders/:id/cancel',
      operationId: 'cancelOrder',
      summary:
        'Cancel what has not shipped: every unshipped unit, or `lines` of them; their reservations are released and they leave the wait list',
      tag: 'Orders',
      scope: 'orders:write',
      params: orderIdParams,
      body: cancelOrderBody,
      responses: { 200: { description: 'The order after the cancel', schema: orderSchema } },
      async handler({ ctx, params, body }) {
        const { order, position } = await cancelOrder(deps, commandContext(ctx), {
          orderId: params.id,
          reason: body.reason,
          ...(body.lines ? { lines: body.lines } : {}),
          ...ifMatch(ctx),
        });
        respond(ctx, 200, order, { version: order.version, position });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/orders/:id/payments',
      operationId: 'recordOrderPayment',
      summary:
        'Record what the payment provider reported (authorized, captured, voided; its reference, never card data) → paymentStatus',
      tag: 'Orders',
      scope: 'orders:write',
      params: orderIdParams,
      body: recordPaymentBody,
      responses: {
        201: { description: 'The payment recorded, with the order status after it', schema: paymentSchema },
      },
      async handler({ ctx, params, body }) {
        const { order, payment, position } = await recordPayment(deps, commandContext(ctx), {
          orderId: params.id,
          type: body.type,
          amount: body.amount,
          reference: body.reference,
          ...ifMatch(ctx),
        });
        respond(
          ctx,
          201,
          { ...payment, orderId: order.id, paymentStatus: order.paymentStatus, totals: order.totals },
          { version: order.version, position, location: `/v1/orders/${order.id}` },
        );
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/orders/:id/holds',
      operationId: 'placeOrderHold',
      summary: 'Put the order on hold: stock may still be reserved, but no shipment can be created until released',
      tag: 'Orders',
      scope: 'orders:write',
      params: orderIdParams,
      body: placeHoldBody,
      responses: { 201: { description: 'The hold placed', schema: holdSchema } },
      async handler({ ctx, params, body }) {
        const { order, hold, position } = await placeHold(deps, commandContext(ctx), {
          orderId: params.id,
          reason: body.reason,
          note: body.note ?? null,
          ...ifMatch(ctx),
        });
        respond(
          ctx,
          201,
          { ...hold, orderId: order.id, onHold: order.onHold },
          { version: order.version, position, location: `/v1/orders/${order.id}` },
        );
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/orders/:id/holds/:holdId/release',
      operationId: 'releaseOrderHold',
      summary: 'Release a hold; once no hold is open the order can ship again',
      tag: 'Orders',
      scope: 'orders:write',
      params: holdParams,
      responses: { 200: { description: 'The released hold', schema: holdSchema } },
      async handler({ ctx, params }) {
        const { order, hold, position } = await releaseHold(deps, commandContext(ctx), {
          orderId: params.id,
          holdId: params.holdId,
          ...ifMatch(ctx),
        });
        respond(ctx, 200, { ...hold, orderId: order.id, onHold: order.onHold }, { version: order.version, position });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/orders',
      operationId: 'listOrders',
      summary: 'List orders, newest first; filter by status, customerId, externalId, sku, createdFrom/createdTo',
      tag: 'Orders',
      scope: 'orders:read',
      query: listOrdersQuery,
      responses: { 200: { description: 'A page of orders', schema: orderList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await listOrders(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/orders/:id/diff',
      operationId: 'diffOrder',
      summary:
        'What changed between two versions of an order (field paths with old and new values, and the events in between)',
      tag: 'Orders',
      scope: 'orders:read',
      params: orderIdParams,
      query: diffOrderQuery,
      responses: { 200: { description: 'The changes', schema: orderDiffSchema } },
      async handler({ ctx, params, query }) {
        const events = await deps.store.readStream(orderStream(ctx.state.principal!.tenant, params.id));
        if (events.length === 0) throw notFound('order', `order ${params.id}`);
        const to = query.to ?? events.length;
        if (query.from > to || to > events.length) {
          throw validationFailed(
            [{ path: 'query:/to', message: `versions run from 0 to ${events.length}, and from ≤ to` }],
            'invalid version range',
          );
        }
        const at = (v: number) => {
          const s = foldRecorded(orderDecider, events.slice(0, v));
          return s.status === 'none' ? null : orderView(s as PlacedOrder, v);
        };
        respond(ctx, 200, {
          from: query.from,
          to,
          changes: diff(at(query.from), at(to)).filter((c) => c.path !== '/version' && c.path !== '/updatedAt'),
          events: events.slice(query.from, to).map(eventView),
        });
      },
    }),
    entityEventsRoute(deps, {
      noun: 'order',
      path: '/v1/orders/:id/events',
      operationId: 'getOrderEvents',
      tag: 'Orders',
      scope: 'orders:read',
      params: orderIdParams,
      stream: orderStream,
    }),
  ];
}
