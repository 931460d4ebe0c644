// The shipments feature: shipping order lines, carrier tracking, and the order status that follows.
// Everything about shipments is in this folder, domain/shipments/ and projections/shipments.ts.
import { shipmentsProjection } from '../../projections/shipments.ts';
import { shipmentFollowUpJob } from './jobs.ts';
import { shipmentRoutes } from './routes.ts';

export const routes = shipmentRoutes;
export const projections = [shipmentsProjection];
export const jobs = [shipmentFollowUpJob];
