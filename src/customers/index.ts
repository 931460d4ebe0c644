// The customers feature: what it hands the app. Everything about customers is in this folder,
// domain/customers/ and projections/customers.ts.
import { customersProjection } from '../../projections/customers.ts';
import { customerRoutes } from './routes.ts';

export const routes = customerRoutes;
export const projections = [customersProjection];
export const jobs = [];
