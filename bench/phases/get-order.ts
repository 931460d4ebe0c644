// get-order over the ids create-order produced (at most 20,000 of them, round-robin).
import { getLoad, type Api } from '../lib/api.ts';
import type { BenchRun } from '../lib/bench-run.ts';
import { measureLoad } from '../lib/measure.ts';

export async function measureGetOrder(run: BenchRun, api: Api, orderIds: string[]): Promise<void> {
  if (orderIds.length === 0) throw new Error('create-order produced no orders; cannot run get-order');
  const paths = orderIds.slice(0, 20_000).map((id) => `/v1/orders/${id}`);
  const { connections, phaseSeconds } = run.opts;
  await measureLoad(
    run,
    'getOrder',
    () => getLoad(api, { connections, seconds: phaseSeconds, paths, title: 'get-order' }),
    { extra: { ids: paths.length } },
  );
}
