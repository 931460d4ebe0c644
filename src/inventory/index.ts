// The inventory feature: stock per SKU and location, adjustments, counts and the movements ledger.
// Everything about inventory is in this folder, domain/inventory/ and projections/inventory.ts.
import { inventoryProjection } from '../../projections/inventory.ts';
import { inventoryRoutes } from './routes.ts';

export const routes = inventoryRoutes;
export const projections = [inventoryProjection];
export const jobs = [];
