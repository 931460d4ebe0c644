import { api, type Order, type Page } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { useApi } from '../useApi.ts';

const SAMPLE = 1000;

/** The newest orders (up to SAMPLE), read through the public list: the console has no SQL access. */
async function recentOrders(): Promise<Order[]> {
  const orders: Order[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Order> = await api.get<Page<Order>>('/v1/orders', { limit: 200, cursor });
    orders.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor && orders.length < SAMPLE);
  return orders;
}

/** Charts over the newest orders: orders per hour by status, and units ordered per SKU. */
export function AnalyticsPage() {
  const orders = useApi(recentOrders, []);
  const data = orders.data ?? [];
  const statuses = [...new Set(data.map((o) => o.status))].sort();
  const hours = [...new Set(data.map((o) => o.createdAt.slice(0, 13)))].sort();
  const perHour = statuses.map((status) => ({
    name: status,
    type: 'bar' as const,
    stack: 'orders',
    data: hours.map((h) => data.filter((o) => o.status === status && o.createdAt.startsWith(h)).length),
  }));
  const units = new Map<string, number>();
  for (const o of data) for (const l of o.lines) units.set(l.sku, (units.get(l.sku) ?? 0) + l.quantity);
  const top = [...units].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return (
    <section>
      <h1>Analytics</h1>
      <p className="muted">
        Over the newest {data.length} orders. Full history is in the <code>analytics</code> schema for SQL and BI tools
        (docs/operations.md).
      </p>
      <ProblemBanner problem={orders.problem} />
      <h2>Orders per hour (UTC), by status</h2>
      <Chart
        testId="chart-orders"
        option={{
          tooltip: { trigger: 'axis', renderMode: 'richText' },
          legend: {},
          xAxis: { type: 'category', data: hours.map((h) => `${h.slice(5, 10)} ${h.slice(11)}h`) },
          yAxis: { type: 'value' },
          series: perHour,
        }}
      />
      <h2>Units ordered per SKU (top 15)</h2>
      <Chart
        testId="chart-skus"
        option={{
          tooltip: { trigger: 'axis', renderMode: 'richText' },
          xAxis: { type: 'category', data: top.map(([sku]) => sku), axisLabel: { rotate: 30 } },
          yAxis: { type: 'value' },
          series: [{ type: 'bar', data: top.map(([, n]) => n) }],
        }}
      />
    </section>
  );
}
