import type { Knex } from 'knex';
import type pg from 'pg';
import type { Config } from '../config/config.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

/** What a feature's long-running work in the worker role gets (besides BullMQ jobs). */
export interface BackgroundDeps {
  knex: Knex;
  pool: pg.Pool;
  store: EventStore;
  config: Config;
  logger: Logger;
  metrics: Metrics;
}

/** Long-running work a feature starts in the worker role (e.g. the allocators); stopped with the process. */
export interface Background {
  stop(): Promise<void>;
}
