import type { Queue } from 'bullmq';
import * as analytics from '../analytics/index.ts';
import * as audit from '../audit/index.ts';
import type { Config } from '../config/config.ts';
import * as customers from '../customers/index.ts';
import type { RouteDeps } from '../http/deps.ts';
import type { RouteDef } from '../http/route.ts';
import * as inventory from '../inventory/index.ts';
import * as locations from '../locations/index.ts';
import type { Background, BackgroundDeps } from '../jobs/background.ts';
import type { JobHandler } from '../jobs/handler.ts';
import * as orders from '../orders/index.ts';
import type { Projection } from '../projector/projection.ts';
import * as returns from '../returns/index.ts';
import * as shipments from '../shipments/index.ts';
import * as webhooks from '../webhooks/index.ts';

// The one list of what the service is made of. Each feature's index hands over its routes, read
// models and side effects; the machinery below it (http, projector, jobs) knows no feature.

export type FeatureDeps = RouteDeps & { queue: Queue; config: Config };

export interface Feature {
  routes(deps: FeatureDeps): RouteDef[];
  readonly projections: readonly Projection[];
  readonly jobs: readonly JobHandler[];
  /** Started in the worker role, next to the job worker (e.g. the allocators). */
  readonly background?: (deps: BackgroundDeps) => Background;
}

/** In route order (it is also the order of /openapi.json). */
export const features: readonly Feature[] = [
  customers,
  orders,
  shipments,
  returns,
  inventory,
  locations,
  webhooks,
  audit,
  analytics,
];

export const projections: readonly Projection[] = features.flatMap((f) => f.projections);

export function apiRoutes(deps: FeatureDeps): RouteDef[] {
  return features.flatMap((f) => f.routes(deps));
}

export const jobHandlers: readonly JobHandler[] = features.flatMap((f) => f.jobs);

export function startBackground(deps: BackgroundDeps): Background[] {
  return features.flatMap((f) => (f.background ? [f.background(deps)] : []));
}
