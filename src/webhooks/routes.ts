import type { Queue } from 'bullmq';
import { DomainError } from '../../domain/shared/errors.ts';
import type { Config } from '../config/config.ts';
import { listDeliveries, redeliver } from './deliveries.ts';
import { createEndpoint, deleteEndpoint, endpointView, getEndpoint, listEndpoints } from './endpoints.ts';
import type { RouteDeps } from '../http/deps.ts';
import { hasScope, type Principal } from '../auth/principal.ts';
import { HttpProblem, notFound } from '../http/problem.ts';
import { personalDataScopesFor } from './catalogue.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import {
  createEndpointBody,
  deliveryList,
  deliveryParams,
  endpointIdParams,
  endpointList,
  endpointListQuery,
  endpointSchema,
  redeliveryQueued,
  webhookListQuery,
} from './schemas.ts';
import { respond } from '../http/respond.ts';

/**
 * Deliveries carry each event's data in full: subscribing to events with personal data takes the
 * scope that reads it, or webhooks:manage alone would exfiltrate every customer.
 */
function refuseWithoutReadScopes(principal: Principal, events: readonly string[]): void {
  const missing = [...personalDataScopesFor(events)].filter(([scope]) => !hasScope(principal, scope));
  if (missing.length === 0) return;
  throw new HttpProblem(
    403,
    'insufficient_scope',
    `subscribing to ${missing.flatMap(([, types]) => types).join(', ')} needs ${missing.map(([scope]) => scope).join(' and ')}: those events carry personal data`,
    { requiredScope: missing.map(([scope]) => scope).join(' ') },
  );
}

const endpointDeleted = (id: string) =>
  new DomainError('webhook_endpoint_deleted', `webhook endpoint ${id} is deleted: nothing is sent to it`, 'conflict');

export function webhookRoutes(deps: RouteDeps & { queue: Queue; config: Config }): RouteDef[] {
  const tenantOf = (ctx: { state: { principal?: { tenant: string } } }) => ctx.state.principal!.tenant;
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/webhook-endpoints',
      operationId: 'createWebhookEndpoint',
      summary:
        'Subscribe a URL to events; the signing secret is shown once, in this response. Events carrying personal data (customer.created/updated, order.placed/updated, or *) also need customers:read / orders:read',
      tag: 'Webhooks',
      scope: 'webhooks:manage',
      body: createEndpointBody,
      responses: { 201: { description: 'The endpoint with its secret', schema: endpointSchema } },
      async handler({ ctx, body }) {
        refuseWithoutReadScopes(ctx.state.principal!, body.events);
        const created = await createEndpoint(
          deps.knex,
          tenantOf(ctx),
          body,
          { allowPrivateNetworks: deps.config.webhooksAllowPrivateNetworks },
          deps.config.masterKey,
        );
        respond(ctx, 201, created, { location: `/v1/webhook-endpoints/${created.id}` });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/webhook-endpoints',
      operationId: 'listWebhookEndpoints',
      summary:
        'List webhook endpoints, newest first (secrets are never shown again); deleted ones with includeDeleted=true',
      tag: 'Webhooks',
      scope: 'webhooks:manage',
      query: endpointListQuery,
      responses: { 200: { description: 'A page of endpoints', schema: endpointList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await listEndpoints(deps.knex, tenantOf(ctx), query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/webhook-endpoints/:id',
      operationId: 'getWebhookEndpoint',
      summary: 'A webhook endpoint',
      tag: 'Webhooks',
      scope: 'webhooks:manage',
      params: endpointIdParams,
      responses: { 200: { description: 'The endpoint', schema: endpointSchema } },
      async handler({ ctx, params }) {
        const row = await getEndpoint(deps.knex, tenantOf(ctx), params.id);
        if (!row) throw notFound('webhook_endpoint', `webhook endpoint ${params.id}`);
        respond(ctx, 200, endpointView(row));
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/webhook-endpoints/:id',
      operationId: 'deleteWebhookEndpoint',
      summary: 'Stop sending to an endpoint',
      tag: 'Webhooks',
      scope: 'webhooks:manage',
      params: endpointIdParams,
      responses: { 204: { description: 'Deleted' } },
      async handler({ ctx, params }) {
        if (!(await deleteEndpoint(deps.knex, tenantOf(ctx), params.id)))
          throw notFound('webhook_endpoint', `webhook endpoint ${params.id}`);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/webhook-endpoints/:id/deliveries',
      operationId: 'listWebhookDeliveries',
      summary:
        'The delivery log: every attempt with status code and latency, newest delivery first (also of a deleted endpoint)',
      tag: 'Webhooks',
      scope: 'webhooks:manage',
      params: endpointIdParams,
      query: webhookListQuery,
      responses: { 200: { description: 'A page of deliveries', schema: deliveryList } },
      async handler({ ctx, params, query }) {
        if (!(await getEndpoint(deps.knex, tenantOf(ctx), params.id, { includeDeleted: true })))
          throw notFound('webhook_endpoint', `webhook endpoint ${params.id}`);
        respond(ctx, 200, await listDeliveries(deps.knex, tenantOf(ctx), params.id, query));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/webhook-endpoints/:id/deliveries/:deliveryId/redeliver',
      operationId: 'redeliverWebhook',
      summary: 'Send a delivery again (same delivery id)',
      tag: 'Webhooks',
      scope: 'webhooks:manage',
      params: deliveryParams,
      responses: { 202: { description: 'Queued', schema: redeliveryQueued } },
      async handler({ ctx, params }) {
        const endpoint = await getEndpoint(deps.knex, tenantOf(ctx), params.id, { includeDeleted: true });
        if (!endpoint) throw notFound('webhook_endpoint', `webhook endpoint ${params.id}`);
        if (endpoint.deleted_at) throw endpointDeleted(params.id);
        if (!(await redeliver(deps.knex, deps.queue, deps.config, tenantOf(ctx), params.id, params.deliveryId)))
          throw notFound('webhook_delivery', `delivery ${params.deliveryId}`);
        respond(ctx, 202, { id: params.deliveryId, status: 'pending' });
      },
    }),
  ];
}
