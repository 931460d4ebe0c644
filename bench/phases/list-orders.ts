// list-orders, newest first: the first page of all orders (bulk-loaded ones included), then
// filtered by status.
import { getLoad, type Api } from '../lib/api.ts';
import type { BenchRun } from '../lib/bench-run.ts';
import { measureLoad } from '../lib/measure.ts';

export async function measureListOrders(run: BenchRun, api: Api, rowsInTable: number): Promise<void> {
  const { connections, phaseSeconds: seconds } = run.opts;
  await measureLoad(
    run,
    'listOrders',
    () => getLoad(api, { connections, seconds, paths: ['/v1/orders?limit=50'], title: 'list-orders' }),
    { extra: { rowsInTable } },
  );
  await measureLoad(run, 'listOrdersConfirmed', () =>
    getLoad(api, {
      connections,
      seconds,
      paths: ['/v1/orders?status=confirmed&limit=50'],
      title: 'list-orders-confirmed',
    }),
  );
}
