import { eventView } from '../audit/event-view.ts';
import { comparePositions, parsePosition } from '../eventstore/port.ts';
import { decodePositionCursor, encodePositionCursor } from '../queries/pagination.ts';
import { adjustStock, countStock } from './commands.ts';
import { getSkuLevel, listLevels, listMovements } from './queries.ts';
import { DEFAULT_LOCATION, inventoryStream } from './streams.ts';
import { commandContext } from '../http/command-context.ts';
import type { RouteDeps } from '../http/deps.ts';
import { notFound } from '../http/problem.ts';
import { READ_SOURCE_HEADER } from '../http/read-source.ts';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { eventList, historyQuery } from '../audit/schemas.ts';
import {
  adjustmentBody,
  countBody,
  inventoryList,
  listInventoryQuery,
  locationLevelSchema,
  movementList,
  movementsQuery,
  skuLevelSchema,
  skuLocationParams,
  skuParams,
} from './schemas.ts';
import { ifMatch, respond } from '../http/respond.ts';

export function inventoryRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/inventory/adjustments',
      operationId: 'adjustInventory',
      summary: 'Add or remove stock at a location with a reason (received, returned, damaged, lost, found, correction)',
      tag: 'Inventory',
      scope: 'inventory:write',
      body: adjustmentBody,
      responses: { 201: { description: 'The new level at that location', schema: locationLevelSchema } },
      async handler({ ctx, body }) {
        const { level, position } = await adjustStock(deps, commandContext(ctx), {
          sku: body.sku,
          location: body.location ?? DEFAULT_LOCATION,
          delta: body.delta,
          reason: body.reason,
          reference: body.reference ?? null,
        });
        respond(ctx, 201, level, { version: level.version, position });
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/v1/inventory/:sku/locations/:location',
      operationId: 'countInventory',
      summary: 'Set the counted on-hand quantity (cycle count); reservations above it are released newest first',
      tag: 'Inventory',
      scope: 'inventory:write',
      params: skuLocationParams,
      body: countBody,
      responses: { 200: { description: 'The new level', schema: locationLevelSchema } },
      async handler({ ctx, params, body }) {
        const { level, position } = await countStock(deps, commandContext(ctx), {
          sku: params.sku,
          location: params.location,
          onHand: body.onHand,
          ...ifMatch(ctx),
        });
        respond(ctx, 200, level, { version: level.version, position });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/inventory/:sku',
      operationId: 'getInventory',
      summary: 'Stock of a SKU: totals and per location (available = onHand − reserved)',
      tag: 'Inventory',
      scope: 'inventory:read',
      params: skuParams,
      responses: { 200: { description: 'The SKU’s stock', schema: skuLevelSchema } },
      async handler({ ctx, params }) {
        const found = await getSkuLevel(deps.knex, deps.store, ctx.state.principal!.tenant, params.sku);
        if (!found) throw notFound('sku', `SKU ${params.sku}`);
        ctx.set(READ_SOURCE_HEADER, found.source);
        respond(ctx, 200, found.level);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/inventory',
      operationId: 'listInventory',
      summary: 'Levels per SKU × location, by SKU then location',
      tag: 'Inventory',
      scope: 'inventory:read',
      query: listInventoryQuery,
      responses: { 200: { description: 'A page of levels', schema: inventoryList } },
      async handler({ ctx, query }) {
        respond(ctx, 200, await listLevels(deps.knex, ctx.state.principal!.tenant, query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/inventory/:sku/movements',
      operationId: 'listInventoryMovements',
      summary: 'The ledger of a SKU: every change with reason, order/shipment reference and time, newest first',
      tag: 'Inventory',
      scope: 'inventory:read',
      params: skuParams,
      query: movementsQuery,
      responses: { 200: { description: 'A page of movements', schema: movementList } },
      async handler({ ctx, params, query }) {
        respond(ctx, 200, await listMovements(deps.knex, ctx.state.principal!.tenant, params.sku, query));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/inventory/:sku/events',
      operationId: 'getInventoryEvents',
      summary: "The SKU's events across its locations in log order, oldest first (audit trail)",
      tag: 'Inventory',
      scope: 'inventory:read',
      params: skuParams,
      query: historyQuery,
      responses: { 200: { description: "A page of the SKU's events", schema: eventList } },
      async handler({ ctx, params, query }) {
        const tenant = ctx.state.principal!.tenant;
        const after = decodePositionCursor(query.cursor);
        const locations = (await deps
          .knex('inventory_levels')
          .where({ tenant, sku: params.sku })
          .pluck('location')) as string[];
        // One stream per location, merged by log position; the cursor is the position of the last
        // event served. The streams are read whole (a SKU has few locations and short streams).
        const all = [];
        for (const location of new Set([DEFAULT_LOCATION, ...locations]))
          all.push(...(await deps.store.readStream(inventoryStream(tenant, params.sku, location))));
        if (all.length === 0) throw notFound('sku', `SKU ${params.sku}`);
        const from = after === null ? null : parsePosition(after)!;
        const rest = (from ? all.filter((e) => comparePositions(e.position, from) > 0) : all).sort((a, b) =>
          comparePositions(a.position, b.position),
        );
        const data = rest.slice(0, query.limit).map(eventView);
        const last = data.at(-1);
        respond(ctx, 200, {
          data,
          nextCursor: rest.length > query.limit && last ? encodePositionCursor(last.position) : null,
        });
      },
    }),
  ];
}
