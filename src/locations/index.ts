// The locations feature: where stock is kept, and in which order allocation draws from it.
// Everything about locations is in this folder, domain/locations/ and projections/locations.ts;
// allocation reads their settings through src/locations/stock-locations.ts.
import { locationsProjection } from '../../projections/locations.ts';
import { locationRoutes } from './routes.ts';

export const routes = locationRoutes;
export const projections = [locationsProjection];
export const jobs = [];
