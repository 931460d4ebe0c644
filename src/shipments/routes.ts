import { shipmentDecider } from '../../domain/shipments/decider.ts';
import type { ActiveShipment } from '../../domain/shipments/state.ts';
import { createShipment, recordTrackingEvent, shipmentStream } from './commands.ts';
import { findByTrackingNumber, getShipment, listShipments } from './queries.ts';
import { shipmentView } from './view.ts';
import { commandContext } from '../http/command-context.ts';
import type { RouteDeps } from '../http/deps.ts';
import { notFound } from '../http/problem.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { entityEventsRoute } from '../audit/entity-events-route.ts';
import { getByIdRoute } from '../audit/get-by-id-route.ts';
import { orderIdParams } from '../orders/schemas.ts';
import {
  createShipmentBody,
  listShipmentsQuery,
  shipmentIdParams,
  shipmentList,
  shipmentSchema,
  trackingEventBody,
  trackingParams,
  trackingQuery,
} from './schemas.ts';
import { ifMatch, respond } from '../http/respond.ts';

export function shipmentRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/orders/:id/shipments',
      operationId: 'createShipment',
      summary: 'Ship reserved, not yet shipped quantities of an order (split and partial shipments allowed)',
      tag: 'Shipments',
      scope: 'shipments:write',
      params: orderIdParams,
      body: createShipmentBody,
      responses: { 201: { description: 'The shipment (status label_created)', schema: shipmentSchema } },
      async handler({ ctx, params, body }) {
        const { shipment, position } = await createShipment(deps, commandContext(ctx), {
          orderId: params.id,
          lines: body.lines,
          carrier: body.carrier,
          trackingNumber: body.trackingNumber ?? null,
          service: body.service ?? null,
          ...(body.location !== undefined ? { location: body.location } : {}),
        });
        respond(ctx, 201, shipment, { version: shipment.version, position, location: `/v1/shipments/${shipment.id}` });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/shipments/:id/events',
      operationId: 'recordShipmentEvent',
      summary: 'Record a carrier update; late updates join the timeline in time order without moving the status back',
      tag: 'Shipments',
      scope: 'shipments:write',
      params: shipmentIdParams,
      body: trackingEventBody,
      responses: { 201: { description: 'The shipment with its timeline', schema: shipmentSchema } },
      async handler({ ctx, params, body }) {
        const { shipment, position } = await recordTrackingEvent(deps, commandContext(ctx), {
          shipmentId: params.id,
          ...body,
          ...ifMatch(ctx),
        });
        respond(ctx, 201, shipment, { version: shipment.version, position });
      },
    }),
    getByIdRoute(deps, {
      noun: 'shipment',
      path: '/v1/shipments/:id',
      operationId: 'getShipment',
      summary: 'A shipment with its tracking timeline (?asOf / ?version: as it was)',
      tag: 'Shipments',
      scope: 'shipments:read',
      params: shipmentIdParams,
      schema: shipmentSchema,
      read: (tenant, id) => getShipment(deps.knex, tenant, id),
      stream: shipmentStream,
      decider: shipmentDecider,
      existed: (s): s is ActiveShipment => s.status !== 'none',
      view: shipmentView,
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/shipments',
      operationId: 'listShipments',
      summary: 'List shipments, newest first; filter by orderId and status',
      tag: 'Shipments',
      scope: 'shipments:read',
      query: listShipmentsQuery,
      responses: { 200: { description: 'A page of shipments', schema: shipmentList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await listShipments(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/tracking/:trackingNumber',
      operationId: 'track',
      summary: 'Look up shipments by carrier tracking number, newest first',
      tag: 'Shipments',
      scope: 'shipments:read',
      params: trackingParams,
      query: trackingQuery,
      responses: { 200: { description: 'A page of shipments with that tracking number', schema: shipmentList } },
      async handler({ ctx, params, query }) {
        const found = await findByTrackingNumber(deps.knex, ctx.state.principal!.tenant, params.trackingNumber, query);
        if (found.data.length === 0 && !query.cursor)
          throw notFound('shipment', `tracking number ${params.trackingNumber}`);
        respond(ctx, 200, found);
      },
    }),
    entityEventsRoute(deps, {
      noun: 'shipment',
      path: '/v1/shipments/:id/events',
      operationId: 'getShipmentEvents',
      tag: 'Shipments',
      scope: 'shipments:read',
      params: shipmentIdParams,
      stream: shipmentStream,
    }),
  ];
}
