import { type FormEvent, useMemo, useState } from 'react';
import { type Answer, oms, ok } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { money } from '../components/format.tsx';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { useApi } from '../useApi.ts';

// Charts over every order of the tenant: the API answers from the analytics tables, which are
// aggregated per day as events arrive (GET /v1/analytics/…), so a year of a million orders is as
// quick to draw as a day of ten.

// The answers as the generated client types them (from the API's own OpenAPI document).
type DailyOrders = Answer<'get', '/v1/analytics/daily-orders'>;
type TopSkus = Answer<'get', '/v1/analytics/top-skus'>;
type Fulfilment = Answer<'get', '/v1/analytics/fulfilment'>;

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const daysBefore = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);
/** The API's widest range; the presets stay within it. */
const PRESETS = [7, 30, 90, 366] as const;

/** The unit that suits the longest of these durations: seconds of a test, days of a supplier's delay. */
function unitFor(seconds: (number | null)[]): { name: string; per: number } {
  const max = Math.max(0, ...seconds.map((s) => s ?? 0));
  if (max < 120) return { name: 'seconds', per: 1 };
  if (max < 7200) return { name: 'minutes', per: 60 };
  if (max < 172_800) return { name: 'hours', per: 3600 };
  return { name: 'days', per: 86_400 };
}
const duration = (s: number | null) =>
  s === null
    ? '–'
    : s < 120
      ? `${s.toFixed(0)} s`
      : s < 7200
        ? `${(s / 60).toFixed(0)} min`
        : `${(s / 3600).toFixed(1)} h`;

/** Orders per day, top SKUs, fill rate and backorder age over a range of UTC days. */
export function AnalyticsPage() {
  const [range, setRange] = useState({ from: daysBefore(today(), 29), to: today() });
  const [draft, setDraft] = useState(range);
  const load = useApi(
    () =>
      Promise.all([
        ok(oms.GET('/v1/analytics/daily-orders', { params: { query: range } })),
        ok(oms.GET('/v1/analytics/top-skus', { params: { query: { ...range, limit: 15 } } })),
        ok(oms.GET('/v1/analytics/fulfilment', { params: { query: range } })),
      ]),
    [range.from, range.to],
  );
  const [daily, top, fulfilment] = load.data ?? [null, null, null];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setRange(draft);
  };
  const preset = (n: number) => {
    const r = { from: daysBefore(today(), n - 1), to: today() };
    setDraft(r);
    setRange(r);
  };
  return (
    <section>
      <h1>Analytics</h1>
      <form className="filters" onSubmit={submit}>
        <label>
          From (UTC day)
          <input
            type="date"
            name="from"
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
        </label>
        <label>
          To (UTC day)
          <input type="date" name="to" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <button type="submit">Show</button>
        {PRESETS.map((n) => (
          <button type="button" key={n} className="link" onClick={() => preset(n)}>
            last {n} days
          </button>
        ))}
      </form>
      <p className="muted small">
        Every order of the range, from the analytics read model (it follows the event log by a moment). The same figures
        are in the <code>analytics</code> schema for SQL and BI tools.
      </p>
      <ProblemBanner problem={load.problem} />
      {daily && top && fulfilment && (
        <>
          <Summary daily={daily} fulfilment={fulfilment} />
          <h2>Orders and units per day</h2>
          <OrdersPerDay daily={daily} />
          <h2>Order totals per day, by currency</h2>
          <TotalsPerDay daily={daily} />
          <h2>Top 15 SKUs by units ordered</h2>
          <TopSkusChart top={top} />
          <h2>Fulfilment of the orders placed in the range</h2>
          <FulfilmentCharts fulfilment={fulfilment} />
        </>
      )}
    </section>
  );
}

function Summary({ daily, fulfilment: f }: { daily: DailyOrders; fulfilment: Fulfilment }) {
  return (
    <dl className="facts" data-testid="analytics-summary">
      <dt>Orders placed</dt>
      <dd>
        {daily.totals.ordersPlaced} ({daily.totals.unitsOrdered} units; {daily.totals.ordersCancelled} cancelled in the
        range)
      </dd>
      <dt>Order totals</dt>
      <dd>{daily.totals.money.map((m) => money(m.total, m.currency)).join(' · ') || '–'}</dd>
      <dt>Fill rate</dt>
      <dd data-testid="fill-rate">
        {f.fillRate === null ? '–' : `${(f.fillRate * 100).toFixed(1)} %`}{' '}
        <span className="muted">
          ({f.orders.confirmedWithoutBackorder} confirmed from stock at once, {f.orders.backordered} backordered)
        </span>
      </dd>
      <dt>Backordered → confirmed</dt>
      <dd>
        p50 {duration(f.backorders.secondsToConfirm.p50)} · p90 {duration(f.backorders.secondsToConfirm.p90)} · max{' '}
        {duration(f.backorders.secondsToConfirm.max)}
      </dd>
      <dt>Waiting for stock now</dt>
      <dd>
        {f.waitingNow.count} backorders
        {f.waitingNow.count > 0 &&
          `, oldest ${duration(f.waitingNow.ageSeconds.max)} (p50 ${duration(f.waitingNow.ageSeconds.p50)})`}
      </dd>
    </dl>
  );
}

function OrdersPerDay({ daily }: { daily: DailyOrders }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: {},
      xAxis: { type: 'category', data: daily.days.map((d) => d.day) },
      yAxis: [
        { type: 'value', name: 'orders' },
        { type: 'value', name: 'units' },
      ],
      series: [
        { name: 'placed', type: 'bar', data: daily.days.map((d) => d.ordersPlaced) },
        { name: 'cancelled', type: 'bar', data: daily.days.map((d) => d.ordersCancelled) },
        { name: 'units ordered', type: 'line', yAxisIndex: 1, data: daily.days.map((d) => d.unitsOrdered) },
        { name: 'units shipped', type: 'line', yAxisIndex: 1, data: daily.days.map((d) => d.unitsShipped) },
      ],
    }),
    [daily],
  );
  return <Chart testId="chart-orders" option={option} />;
}

function TotalsPerDay({ daily }: { daily: DailyOrders }) {
  const option = useMemo(() => {
    const currencies = daily.totals.money.map((m) => m.currency);
    return {
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: {},
      xAxis: { type: 'category', data: daily.days.map((d) => d.day) },
      yAxis: { type: 'value', name: 'major units' },
      series: currencies.map((c) => ({
        name: c,
        type: 'line',
        data: daily.days.map((d) => (d.money.find((m) => m.currency === c)?.total ?? 0) / 100),
      })),
    };
  }, [daily]);
  return <Chart testId="chart-revenue" option={option} />;
}

function TopSkusChart({ top }: { top: TopSkus }) {
  const option = useMemo(() => {
    const rows = [...top.data].reverse(); // the largest at the top of a horizontal bar chart
    return {
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: {},
      grid: { containLabel: true },
      yAxis: { type: 'category', data: rows.map((s) => s.sku) },
      xAxis: { type: 'value' },
      series: [
        { name: 'units ordered', type: 'bar', data: rows.map((s) => s.unitsOrdered) },
        { name: 'units shipped', type: 'bar', data: rows.map((s) => s.unitsShipped) },
        { name: 'orders', type: 'bar', data: rows.map((s) => s.ordersPlaced) },
      ],
    };
  }, [top]);
  return <Chart testId="chart-skus" option={option} />;
}

function FulfilmentCharts({ fulfilment: f }: { fulfilment: Fulfilment }) {
  // The orders placed in the range, each in one slice.
  const outcome = useMemo(
    () => ({
      tooltip: { trigger: 'item', renderMode: 'richText' },
      legend: { top: 0 },
      series: [
        {
          type: 'pie',
          radius: ['35%', '60%'],
          center: ['50%', '55%'],
          label: { formatter: '{b}: {c}' },
          data: [
            { name: 'confirmed at once', value: f.orders.confirmedWithoutBackorder },
            { name: 'backordered, then confirmed', value: f.backorders.confirmed },
            { name: 'backordered, waiting', value: f.backorders.waiting },
            { name: 'backordered, cancelled', value: f.backorders.cancelled },
            {
              // neither confirmed nor backordered: pending, held, or cancelled before allocation
              name: 'not allocated',
              value: f.orders.placed - f.orders.confirmedWithoutBackorder - f.orders.backordered,
            },
          ].filter((x) => x.value > 0),
        },
      ],
    }),
    [f],
  );
  const age = useMemo(() => {
    const toConfirm = [
      f.backorders.secondsToConfirm.p50,
      f.backorders.secondsToConfirm.p90,
      f.backorders.secondsToConfirm.max,
    ];
    const waiting = [f.waitingNow.ageSeconds.p50, f.waitingNow.ageSeconds.p90, f.waitingNow.ageSeconds.max];
    const unit = unitFor([...toConfirm, ...waiting]);
    const inUnit = (s: number | null) => (s === null ? null : Math.round((s / unit.per) * 100) / 100);
    return {
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: {},
      xAxis: { type: 'category', data: ['p50', 'p90', 'max'] },
      yAxis: { type: 'value', name: unit.name },
      series: [
        { name: 'backordered → confirmed', type: 'bar', data: toConfirm.map(inUnit) },
        { name: 'age of the backorders waiting now', type: 'bar', data: waiting.map(inUnit) },
      ],
    };
  }, [f]);
  return (
    <div className="chart-pair">
      <Chart testId="chart-fill" option={outcome} />
      <Chart testId="chart-backorder-age" option={age} />
    </div>
  );
}
