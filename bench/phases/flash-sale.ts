// Flash sale: every connection orders as fast as it can, first all on one SKU, then spread over
// 1,000 SKUs, each with ample stock. Unlike the create-order phases, the allocation backlog is not
// cut short: after the load stops the phase waits (up to a cap) until no order of the run is
// pending, and reports how long that took. Figures per run: accepted orders/s and create-order
// latency, orders allocated per second end to end (first accept → last allocation), accept →
// allocated latency per order (from the log), and seconds until the backlog is empty.
import { createOrdersLoad, type Api } from '../lib/api.ts';
import type { BenchRun } from '../lib/bench-run.ts';
import { log } from '../lib/log.ts';
import { measureLoad } from '../lib/measure.ts';
import { fmt } from '../lib/report.ts';

const ONE_SKU = ['FLASH-1'];
const MANY_SKUS = Array.from({ length: 1000 }, (_, i) => `FLASH-M-${String(i + 1).padStart(4, '0')}`);

export interface FlashSaleRun {
  acceptedPerSec: number;
  allocatedPerSec: number | null;
  allocatedVsAccepted: number | null;
  acceptToAllocatedMs: { p50: number; p99: number; n: number };
  backlogEmptySec: number | null;
  pendingLeft: number;
  /** With --stage-timing: accept → demand row (projector) and demand row → allocated (allocator). */
  stagesMs?: { projector: { p50: number; p99: number }; allocator: { p50: number; p99: number }; n: number };
}

export async function measureFlashSale(run: BenchRun, api: Api): Promise<void> {
  for (const sku of [...ONE_SKU, ...MANY_SKUS]) await api.receiveStock(sku, 10_000_000);
  if (run.opts.stageTiming) await run.observer.installStageTiming();
  const peak = await flashSalePhase(run, api, 'flashSaleOneSku', ONE_SKU);
  // Latency at a sustainable load: 70 % of the one-SKU accept rate just measured.
  if (peak) await flashSalePhase(run, api, 'flashSaleOneSku70', ONE_SKU, Math.round(peak * 0.7));
  await flashSalePhase(run, api, 'flashSale1000Skus', MANY_SKUS);
  // The same again with a second worker process: the allocators share the partitions.
  await run.stack.addProcess('worker-2', 'worker', run.monitor);
  log('second worker process started');
  await flashSalePhase(run, api, 'flashSaleOneSku2w', ONE_SKU);
  await flashSalePhase(run, api, 'flashSale1000Skus2w', MANY_SKUS);
}

/** Returns the accepted orders/s of the median run. */
async function flashSalePhase(
  run: BenchRun,
  api: Api,
  name: string,
  skus: string[],
  overallRate?: number,
): Promise<number | null> {
  const customerIds: string[] = [];
  const runs: FlashSaleRun[] = [];
  // The backlog may take far longer than the load: wait up to 10 × the load, at least a minute.
  const capMs = Math.max(60, 10 * run.opts.phaseSeconds) * 1000;
  const phase = await measureLoad(
    run,
    name,
    async (i) => {
      const customerId = await api.createCustomer(`${name}-${run.tag}-${i}`);
      customerIds.push(customerId);
      return createOrdersLoad(api, {
        connections: run.opts.connections,
        seconds: run.opts.phaseSeconds,
        customerId,
        skus,
        ids: [],
        title: name,
        ...(overallRate ? { overallRate } : {}),
      });
    },
    {
      after: async (i) => {
        const customerId = customerIds[i]!;
        const stoppedAt = performance.now();
        const drain = await run.observer.waitQuiet(run.stack.tenant, capMs, customerId);
        const backlogEmptySec = drain.quiet ? (performance.now() - stoppedAt) / 1000 : null;
        const s = await run.observer.allocationStats(run.stack.tenant, customerId);
        const allocated = s.orders - (s.byStatus.pending ?? 0);
        const spanSec =
          s.firstPlaced && s.lastAllocated ? (s.lastAllocated.getTime() - s.firstPlaced.getTime()) / 1000 : null;
        const accepted = s.orders / run.opts.phaseSeconds;
        const allocatedPerSec = spanSec && spanSec > 0 ? allocated / spanSec : null;
        const r: FlashSaleRun = {
          acceptedPerSec: Math.round(accepted * 10) / 10,
          allocatedPerSec: allocatedPerSec === null ? null : Math.round(allocatedPerSec * 10) / 10,
          allocatedVsAccepted: allocatedPerSec === null ? null : Math.round((allocatedPerSec / accepted) * 100) / 100,
          acceptToAllocatedMs: await run.observer.acceptToAllocatedMs(run.stack.tenant, customerId),
          backlogEmptySec: backlogEmptySec === null ? null : Math.round(backlogEmptySec * 10) / 10,
          pendingLeft: s.byStatus.pending ?? 0,
          ...(run.opts.stageTiming
            ? { stagesMs: await run.observer.stageLatenciesMs(run.stack.tenant, customerId) }
            : {}),
        };
        runs.push(r);
        log(
          `${name} allocation: ${fmt(r.allocatedPerSec, 1)} orders/s end to end (${fmt(r.allocatedVsAccepted, 2)} × accepted), ` +
            `accept → allocated p50 ${r.acceptToAllocatedMs.p50} ms p99 ${r.acceptToAllocatedMs.p99} ms, ` +
            (r.backlogEmptySec === null
              ? `backlog NOT empty after ${capMs / 1000} s (${r.pendingLeft} pending)`
              : `backlog empty ${r.backlogEmptySec} s after the load`),
        );
        if (r.stagesMs)
          log(
            `${name} stages: accept → demand row (projector) p50 ${r.stagesMs.projector.p50} ms p99 ${r.stagesMs.projector.p99} ms, ` +
              `demand row → allocated (allocator) p50 ${r.stagesMs.allocator.p50} ms p99 ${r.stagesMs.allocator.p99} ms (${r.stagesMs.n} orders)`,
          );
        if (!drain.quiet) await run.observer.dropBacklog();
      },
    },
  );
  const byRatio = [...runs].sort((a, b) => (a.allocatedVsAccepted ?? 0) - (b.allocatedVsAccepted ?? 0));
  const median = byRatio[Math.floor(byRatio.length / 2)] ?? null;
  phase.flashSale = { median, runs, ...(overallRate ? { overallRate } : {}) };
  return median?.acceptedPerSec ?? null;
}
