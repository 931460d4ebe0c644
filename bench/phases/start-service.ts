// The service under test: `oms api-keys create` (which migrates), then one process per role, while
// the orders read model is bulk-loaded for the list phases.
import { Api } from '../lib/api.ts';
import type { BenchRun } from '../lib/bench-run.ts';
import { bulkLoadOrders } from '../lib/bulk.ts';
import { log } from '../lib/log.ts';
import { fmt } from '../lib/report.ts';

export async function startService(run: BenchRun): Promise<Api> {
  const { opts: o, stack, results } = run;
  run.throwIfInterrupted();
  log(
    `starting the service (api, projector, worker)${o.bulkOrders > 0 ? ` and bulk-loading ${fmt(o.bulkOrders)} orders` : ''}…`,
  );
  const startedAt = performance.now();
  await stack.createKey();
  // The bulk load overlaps the processes' boot; nothing is measured until both are done.
  const bulkLoad = async () => {
    if (o.bulkOrders <= 0) return;
    const bulk = await bulkLoadOrders(stack.databaseUrl, stack.tenant, o.bulkOrders);
    results.phases.bulkLoad = bulk;
    log(`bulk-loaded ${fmt(bulk.rows)} orders into the read model in ${bulk.seconds} s`);
  };
  await Promise.all([stack.start(['api', 'projector', 'worker'], run.monitor), bulkLoad()]);
  run.monitor.start(250);
  run.observer.sampleConnections(1000);
  results.stack.startSec = Math.round((performance.now() - startedAt) / 100) / 10;
  log(`service up on ${stack.baseUrl} after ${results.stack.startSec} s`);
  return new Api(stack.baseUrl, stack.key);
}
