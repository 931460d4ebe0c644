import type { Knex } from 'knex';
import type { EventStore } from '../eventstore/port.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { PiiKeys } from '../pii/keys.ts';

/** What route handlers may use. */
export interface RouteDeps {
  store: EventStore;
  knex: Knex;
  metrics: Metrics;
  emailHashKey: string;
  piiKeys: PiiKeys;
}
