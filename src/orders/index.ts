// The orders feature: placing, changing and cancelling orders, and allocating stock to them.
// Everything about orders is in this folder, domain/orders/ and projections/orders.ts.
import { ordersProjection } from '../../projections/orders.ts';
import { allocateOrderJob, drainBackordersJob } from './jobs.ts';
import { orderRoutes } from './routes.ts';

export const routes = orderRoutes;
export const projections = [ordersProjection];
export const jobs = [allocateOrderJob, drainBackordersJob];
