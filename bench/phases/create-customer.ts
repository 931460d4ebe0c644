// create-customer: a unique email per request. Warms the service up first (unmeasured).
import { createCustomersLoad, type Api } from '../lib/api.ts';
import type { BenchRun } from '../lib/bench-run.ts';
import { measureLoad } from '../lib/measure.ts';
import type { LoadPhase } from '../lib/results.ts';

export async function measureCreateCustomer(run: BenchRun, api: Api): Promise<LoadPhase> {
  const { opts: o, stack, observer, tag } = run;
  if (o.warmupSeconds > 0) {
    await createCustomersLoad(api, { connections: o.connections, seconds: o.warmupSeconds, runTag: `warm-${tag}` });
    await observer.waitQuiet(stack.tenant, o.drainTimeoutSec * 1000);
  }
  const customers = await measureLoad(run, 'createCustomer', (i) =>
    createCustomersLoad(api, { connections: o.connections, seconds: o.phaseSeconds, runTag: `${tag}-${i}` }),
  );
  customers.drain = await observer.waitQuiet(stack.tenant, o.drainTimeoutSec * 1000);
  return customers;
}
