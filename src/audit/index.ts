// The audit feature: the tenant's event feed and the event catalogue. Per-entity histories and
// time travel are routes of each feature, built with this folder's helpers.
import { eventRoutes } from './routes.ts';

export const routes = eventRoutes;
export const projections = [];
export const jobs = [];
