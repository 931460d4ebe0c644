import { analyticsProjection } from '../projections/analytics.ts';
import { customersProjection } from '../projections/customers.ts';
import { inventoryProjection } from '../projections/inventory.ts';
import { ordersProjection } from '../projections/orders.ts';
import { shipmentsProjection } from '../projections/shipments.ts';
import type { RouteDeps } from './http/deps.ts';
import { customerRoutes } from './http/routes/customers.ts';
import { eventRoutes } from './http/routes/events.ts';
import { inventoryRoutes } from './http/routes/inventory.ts';
import { orderRoutes } from './http/routes/orders.ts';
import { shipmentRoutes } from './http/routes/shipments.ts';
import { webhookRoutes } from './http/routes/webhooks.ts';
import { webhookDeliveryJob, webhookFanOutJob } from './jobs/handlers/webhooks.ts';
import type { Queue } from 'bullmq';
import type { Config } from './config.ts';
import { shipmentFollowUpJob } from './jobs/handlers/shipments.ts';
import { allocateOrderJob, drainBackordersJob } from './jobs/handlers/allocation.ts';
import type { RouteDef } from './http/route.ts';
import type { JobHandler } from './jobs/handler.ts';
import type { Projection } from './projector/projection.ts';

// The one list of what the service is made of: routes, read models, side effects.

export const projections: readonly Projection[] = [
  customersProjection,
  ordersProjection,
  inventoryProjection,
  shipmentsProjection,
  analyticsProjection,
];

export function apiRoutes(deps: RouteDeps & { queue: Queue; config: Config }): RouteDef[] {
  return [
    ...customerRoutes(deps),
    ...orderRoutes(deps),
    ...shipmentRoutes(deps),
    ...inventoryRoutes(deps),
    ...webhookRoutes(deps),
    ...eventRoutes(deps),
  ];
}

export const jobHandlers: readonly JobHandler[] = [
  allocateOrderJob,
  drainBackordersJob,
  shipmentFollowUpJob,
  webhookFanOutJob,
  webhookDeliveryJob,
];
