// create-order over 8 SKUs with plenty of stock, then the hot SKU (every order on one SKU, so
// allocation contends on one inventory stream). Each run has its own customer, so its orders'
// allocation can be told apart in the read model.
import { createOrdersLoad, type Api } from '../lib/api.ts';
import type { BenchRun } from '../lib/bench-run.ts';
import { measureLoad } from '../lib/measure.ts';
import { allocationAfterRun, allocationSummary, type AllocationRun } from './allocation.ts';

const SKUS = Array.from({ length: 8 }, (_, i) => `BENCH-SKU-${i + 1}`);
const HOT_SKU = 'BENCH-HOT';

/** The ids of the orders created, for the read phases. */
export interface CreatedOrders {
  eightSku: string[];
  hotSku: string[];
}

export async function measureCreateOrder(run: BenchRun, api: Api): Promise<CreatedOrders> {
  for (const sku of [...SKUS, HOT_SKU]) await api.receiveStock(sku, 10_000_000);
  const eightSku = await orderPhase(run, api, {
    name: 'createOrder',
    customerPrefix: 'orders',
    skus: SKUS,
    title: 'create-order',
  });
  const hotSku = await orderPhase(run, api, {
    name: 'createOrderHotSku',
    customerPrefix: 'hot',
    skus: [HOT_SKU],
    title: 'create-order-hot-sku',
  });
  // The accept path alone: what intake costs and reaches with nothing else on the machine.
  // The projector and the worker are frozen during the load and catch up afterwards.
  const frozen = ['projector', 'worker'];
  let intakeOnly: string[];
  try {
    intakeOnly = await orderPhase(
      run,
      api,
      { name: 'createOrderIntakeOnly', customerPrefix: 'intake', skus: SKUS, title: 'create-order-intake-only' },
      { beforeLoad: () => run.stack.suspend(frozen), afterLoad: () => run.stack.resume(frozen) },
    );
  } finally {
    run.stack.resume(frozen);
  }
  run.results.service.inventoryStreamLengths = await run.observer
    .streamLengths(`${run.stack.tenant}:inventory:BENCH-%`)
    .catch((err: Error) => err.message);
  return { eightSku: [...eightSku, ...intakeOnly], hotSku };
}

/** One create-order phase with its allocation measured after each run; returns the order ids. */
async function orderPhase(
  run: BenchRun,
  api: Api,
  p: { name: string; customerPrefix: string; skus: string[]; title: string },
  /** Around each run's load (after its customer is created; before its allocation is awaited). */
  hooks: { beforeLoad?: () => void; afterLoad?: () => void } = {},
): Promise<string[]> {
  const ids: string[] = [];
  const customerIds: string[] = [];
  const allocation: AllocationRun[] = [];
  const phase = await measureLoad(
    run,
    p.name,
    async (i) => {
      const customerId = await api.createCustomer(`${p.customerPrefix}-${run.tag}-${i}`);
      customerIds.push(customerId);
      hooks.beforeLoad?.();
      return createOrdersLoad(api, {
        connections: run.opts.connections,
        seconds: run.opts.phaseSeconds,
        customerId,
        skus: p.skus,
        ids,
        title: p.title,
      });
    },
    {
      after: async (i) => {
        hooks.afterLoad?.();
        await allocationAfterRun(run, p.name, customerIds, allocation)(i);
      },
    },
  );
  phase.allocation = allocationSummary(allocation);
  return ids;
}
