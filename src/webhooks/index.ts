// The webhooks feature: endpoints, signed deliveries with retries, and the delivery log.
import { webhookDeliveryJob, webhookFanOutJob } from './jobs.ts';
import { webhookRoutes } from './routes.ts';

export const routes = webhookRoutes;
export const projections = [];
export const jobs = [webhookFanOutJob, webhookDeliveryJob];
