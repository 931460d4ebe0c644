// The analytics feature: the analytics.* tables that BI tools read with plain SQL, and read-only
// routes over them (GET /v1/analytics/…, scope analytics:read) for the console and API clients.
import { analyticsProjection } from '../../projections/analytics.ts';
import { analyticsRoutes } from './routes.ts';

export const routes = analyticsRoutes;
export const projections = [analyticsProjection];
export const jobs = [];
