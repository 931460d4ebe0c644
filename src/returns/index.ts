// The returns feature: returns of shipped units, receiving them back into stock, refunds.
// Everything about returns is in this folder, domain/returns/ and projections/returns.ts.
import { returnsAnalyticsProjection, returnsProjection } from '../../projections/returns.ts';
import { returnRoutes } from './routes.ts';

export const routes = returnRoutes;
export const projections = [returnsProjection, returnsAnalyticsProjection];
export const jobs = [];
