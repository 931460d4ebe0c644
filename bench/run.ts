// `npm run bench [-- --quick]`: baselines and the service side by side in one run.
// Starts the service (api, projector and worker as separate processes) on a fresh database and
// Redis prefix, runs the phases in phases/ in order, prints a table, writes bench-results.json,
// and removes what it created.
import os from 'node:os';
import { BenchRun } from './lib/bench-run.ts';
import { postgresVersion } from './lib/environment.ts';
import { elapsedSec, log, startClock } from './lib/log.ts';
import { parseOptions, USAGE, type BenchOptions } from './lib/options.ts';
import { serviceLogs, serviceState } from './lib/service-state.ts';
import { writeReport } from './lib/write-report.ts';
import { measureInsertBaseline, measureKoaBaseline } from './phases/baselines.ts';
import { measureCreateCustomer } from './phases/create-customer.ts';
import { measureCreateOrder } from './phases/create-order.ts';
import { measureFlashSale } from './phases/flash-sale.ts';
import { measureGetOrder } from './phases/get-order.ts';
import { measureIdle } from './phases/idle.ts';
import { measureListOrders } from './phases/list-orders.ts';
import { measureProjectionLag } from './phases/projection-lag.ts';
import { measureRebuildRate } from './phases/rebuild.ts';
import { startService } from './phases/start-service.ts';

startClock();

async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = opts;
  const run = await BenchRun.create(o);
  run.handleSignals();
  const { stack, results } = run;

  let failure: unknown = null;
  try {
    log(
      `mode ${results.mode}: ${o.phaseSeconds} s phases × ${o.repeats}, ${o.connections} connections, bulk ${o.bulkOrders} orders; load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    log(`database ${stack.dbName}, Redis prefix ${stack.redisPrefix}`);
    results.machine.postgres = await postgresVersion(stack.adminUrl);
    await run.createDatabase();
    await measureInsertBaseline(run);
    await measureKoaBaseline(run);
    const api = await startService(run);
    await measureIdle(run);
    const customers = await measureCreateCustomer(run, api);
    await measureProjectionLag(run, api, customers.median.okRps);
    const orders = await measureCreateOrder(run, api);
    await measureGetOrder(run, api, orders.eightSku);
    await measureListOrders(run, api, o.bulkOrders + orders.eightSku.length + orders.hotSku.length);
    await measureFlashSale(run, api);
    await measureRebuildRate(run);
  } catch (err) {
    failure = err;
    results.error = run.interrupted ? `interrupted (${(err as Error).message})` : ((err as Error).stack ?? String(err));
    log(run.interrupted ? 'interrupted; writing partial results' : `FAILED: ${(err as Error).message}`);
    for (const d of stack.deadChildren()) log(`${d.role} exited (${d.exit}); last output:\n${d.output.join('\n')}`);
  } finally {
    Object.assign(results.service, await serviceState(run.observerIfStarted));
    run.monitor.sample();
    results.rssMb = run.monitor.peaksMb();
    results.machine.loadAverageEnd = os.loadavg();
    await run.cleanup();
    // After the stop, so lines printed while shutting down are included.
    results.service.logs = serviceLogs(stack);
    results.durationSec = Math.round(elapsedSec() * 10) / 10;
    writeReport(results, o.out);
    run.done();
  }
  return failure ? 1 : 0;
}

// Exit explicitly: a stray handle (a socket autocannon left half-closed) must not keep the run alive.
process.exit(await main());
