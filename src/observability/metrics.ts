import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process (tests build several apps in one process, each with its own). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'oms_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'oms_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    commands: new Counter({
      name: 'oms_commands_total',
      help: 'Commands handled, by command type and outcome',
      labelNames: ['command', 'outcome'] as const,
      registers: [registry],
    }),
    appends: new Counter({
      name: 'oms_events_appended_total',
      help: 'Events appended to the event store',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    appendConflicts: new Counter({
      name: 'oms_append_conflicts_total',
      help: 'Optimistic concurrency conflicts on append (retried or refused)',
      registers: [registry],
    }),
    projectionLag: new Gauge({
      name: 'oms_projection_lag_seconds',
      help: 'Age of the oldest event a projection has not applied yet (0 when caught up; grows while it fails)',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    projectionBatchFailures: new Counter({
      name: 'oms_projection_batch_failures_total',
      help: 'Failed attempts to apply a batch (or, isolating a poison event, one event)',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    projectionEventsParked: new Counter({
      name: 'oms_projection_events_parked_total',
      help: 'Events a projection could not apply and parked (see oms projections parked)',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    projectionEvents: new Counter({
      name: 'oms_projection_events_total',
      help: 'Events a projection processed',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    allocationBatches: new Counter({
      name: 'oms_allocation_batches_total',
      help: 'Allocation batches (one partition: tenant × SKU) by outcome: decided, failed',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    allocationDemand: new Counter({
      name: 'oms_allocation_demand_rows_total',
      help: 'Demand rows the allocators decided and removed from the queue',
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'oms_queue_jobs',
      help: 'Jobs per BullMQ state (sampled at scrape time)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
