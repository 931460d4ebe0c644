// The orders feature: placing, changing and cancelling orders, and allocating stock to them.
// Everything about orders is in this folder, domain/orders/ and projections/orders.ts.
import { ordersProjection } from '../../projections/orders.ts';
import type { BackgroundDeps } from '../jobs/background.ts';
import { readModelLocations } from '../locations/stock-locations.ts';
import { allocationDemandProjection } from './allocation-demand.ts';
import { AllocationRunner } from './allocation-runner.ts';
import { allocateOrderJob, drainBackordersJob } from './jobs.ts';
import { orderRoutes } from './routes.ts';

export const routes = orderRoutes;
export const projections = [ordersProjection, allocationDemandProjection];

/** The allocators: in every worker process; they share the partitions (see allocation-runner.ts). */
export function background(deps: BackgroundDeps) {
  const runner = new AllocationRunner({
    knex: deps.knex,
    pool: deps.pool,
    store: deps.store,
    locations: readModelLocations(deps.knex, deps.store),
    databaseUrl: deps.config.databaseUrl,
    logger: deps.logger,
    metrics: deps.metrics,
    pollMs: deps.config.projectorPollMs,
  });
  runner.start();
  return runner;
}
export const jobs = [allocateOrderJob, drainBackordersJob];
