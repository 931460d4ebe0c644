import type { DefinedLocation } from '../../domain/locations/state.ts';
import { commandContext } from '../http/command-context.ts';
import type { RouteDeps } from '../http/deps.ts';
import { notFound } from '../http/problem.ts';
import { ifMatch, respond } from '../http/respond.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { locationCode } from '../inventory/streams.ts';
import { defineLocation } from './commands.ts';
import { listLocations } from './queries.ts';
import { listLocationsQuery, locationList, locationParams, locationSchema, putLocationBody } from './schemas.ts';
import { loadLocation } from './streams.ts';
import { locationView } from './view.ts';

export function locationRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'PUT',
      path: '/v1/locations/:code',
      operationId: 'putLocation',
      summary:
        'Define a stock location or change it: name, address, allocation priority (1 first) and whether it is active',
      tag: 'Locations',
      scope: 'inventory:write',
      params: locationParams,
      body: putLocationBody,
      responses: {
        200: { description: 'The changed (or unchanged) location', schema: locationSchema },
        201: { description: 'The new location', schema: locationSchema },
      },
      async handler({ ctx, params, body }) {
        const code = locationCode(params.code);
        const { location, created, position } = await defineLocation(deps, commandContext(ctx), {
          code,
          name: body.name,
          address: body.address ?? null,
          priority: body.priority,
          active: body.active,
          ...ifMatch(ctx),
        });
        respond(ctx, created ? 201 : 200, location, {
          version: location.version,
          position,
          ...(created ? { location: `/v1/locations/${code}` } : {}),
        });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/locations/:code',
      operationId: 'getLocation',
      summary: 'Get a defined location (read from its events: always current)',
      tag: 'Locations',
      scope: 'inventory:read',
      params: locationParams,
      responses: { 200: { description: 'The location', schema: locationSchema } },
      async handler({ ctx, params }) {
        const code = locationCode(params.code);
        const { state, version } = await loadLocation(deps.store, ctx.state.principal!.tenant, code);
        if (state.status === 'none') throw notFound('location', `location ${code}`);
        respond(ctx, 200, locationView(state as DefinedLocation, version), { version });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/locations',
      operationId: 'listLocations',
      summary: 'Defined locations in allocation order (priority, then code); filter by active',
      tag: 'Locations',
      scope: 'inventory:read',
      query: listLocationsQuery,
      responses: { 200: { description: 'A page of locations', schema: locationList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await listLocations(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
  ];
}
