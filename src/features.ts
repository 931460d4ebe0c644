import { customersProjection } from '../projections/customers.ts';
import type { RouteDeps } from './http/deps.ts';
import { customerRoutes } from './http/routes/customers.ts';
import { eventRoutes } from './http/routes/events.ts';
import type { RouteDef } from './http/route.ts';
import type { JobHandler } from './jobs/handler.ts';
import type { Projection } from './projector/projection.ts';

// The one list of what the service is made of: routes, read models, side effects.

export const projections: readonly Projection[] = [customersProjection];

export function apiRoutes(deps: RouteDeps): RouteDef[] {
  return [...customerRoutes(deps), ...eventRoutes(deps)];
}

export const jobHandlers: readonly JobHandler[] = [];
