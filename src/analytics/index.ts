// The analytics feature: the analytics.* tables that BI tools read with plain SQL (no routes).
import { analyticsProjection } from '../../projections/analytics.ts';

export const routes = () => [];
export const projections = [analyticsProjection];
export const jobs = [];
