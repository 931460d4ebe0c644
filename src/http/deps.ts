import type { Knex } from 'knex';
import type pg from 'pg';
import type { EventStore } from '../eventstore/port.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { PiiKeys } from '../pii/keys.ts';

/** What route handlers may use. */
export interface RouteDeps {
  store: EventStore;
  knex: Knex;
  /** For hot single-row reads as named prepared statements (no query builder on the path). */
  pool: pg.Pool;
  metrics: Metrics;
  emailHashKey: string;
  piiKeys: PiiKeys;
}
