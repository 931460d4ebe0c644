import { useEffect, useMemo, useState } from 'react';
import { type Answer, api, oms, ok, type Problem } from '../api.ts';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { time } from '../components/format.tsx';
import { parseMetrics } from '../metrics.ts';
import { useSession } from '../session.tsx';
import { asProblem, useApi } from '../useApi.ts';

interface Readiness {
  status: string;
  checks: { name: string; ok: boolean; ms: number; error?: string }[];
  rateLimiting: string;
  stuck?: { projection: string; failingSince: string; failures: number }[];
  degraded?: { projection: string; parked: number }[];
}

// The /v1 answers as the generated client types them; /readyz is not part of the API document.
type ProjectionsStatus = Answer<'get', '/v1/operations/projections'>;

const POLL_MS = 3000;
/** Polls kept for the charts: ten minutes. */
const WINDOW = 200;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** One poll's figures, for the charts. */
interface Sample {
  t: number;
  /** Events behind the log head, per projection (none without operations:manage). */
  lag: Record<string, number>;
  /** Jobs per `<queue> <state>`, and the tenant's allocation demand rows. */
  depth: Record<string, number | null>;
  /** Commands per second since the previous poll, per outcome; null for the first poll or after a restart. */
  commands: Record<string, number> | null;
}

// The rolling window lives outside the component: leaving the page and coming back keeps it (with a
// gap while nobody polled). It is this browser tab's memory only.
const history: Sample[] = [];
let lastCommands: { t: number; byOutcome: Map<string, number> } | null = null;

/** The command counters of /metrics, summed per outcome (over command types). */
function commandCounters(samples: ReturnType<typeof parseMetrics>): Map<string, number> {
  const byOutcome = new Map<string, number>();
  for (const s of samples)
    if (s.name === 'oms_commands_total')
      byOutcome.set(s.labels.outcome ?? '', (byOutcome.get(s.labels.outcome ?? '') ?? 0) + s.value);
  return byOutcome;
}

/** Rate per second between two readings of the counters; null when one went down (the process restarted). */
function commandRates(t: number, byOutcome: Map<string, number>): Record<string, number> | null {
  const prev = lastCommands;
  lastCommands = { t, byOutcome };
  if (!prev || t <= prev.t) return null;
  const rates: Record<string, number> = {};
  for (const [outcome, n] of byOutcome) {
    const delta = n - (prev.byOutcome.get(outcome) ?? 0);
    if (delta < 0) return null;
    rates[outcome] = delta / ((t - prev.t) / 1000);
  }
  return rates;
}

function record(sample: Sample) {
  history.push(sample);
  if (history.length > WINDOW) history.splice(0, history.length - WINDOW);
}

function lineChart(unit: string, series: Map<string, [number, number | null][]>): ChartOption {
  const last = history.at(-1)?.t ?? Date.now();
  return {
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 60, right: 20, top: 50, bottom: 30 },
    // At least a minute wide: one or two polls do not stretch over days.
    xAxis: { type: 'time', min: Math.min(history[0]?.t ?? last, last - 60_000), max: last },
    yAxis: { type: 'value', name: unit, minInterval: unit === 'commands/s' ? 0 : 1 },
    animation: false,
    series: [...series].map(([name, data]) => ({ name, type: 'line', showSymbol: false, data })),
  };
}

/** Points of one key of the samples, in time order. */
function seriesOf<K extends 'lag' | 'depth'>(key: K): Map<string, [number, number | null][]> {
  const out = new Map<string, [number, number | null][]>();
  for (const s of history) for (const name of Object.keys(s[key])) if (!out.has(name)) out.set(name, []);
  for (const s of history) for (const [name, points] of out) points.push([s.t, s[key][name] ?? null]);
  return out;
}

function commandSeries(): Map<string, [number, number | null][]> {
  const out = new Map<string, [number, number | null][]>([['all', []]]);
  for (const s of history) for (const o of Object.keys(s.commands ?? {})) if (!out.has(o)) out.set(o, []);
  for (const s of history) {
    const all = s.commands ? Object.values(s.commands).reduce((a, b) => a + b, 0) : null;
    for (const [name, points] of out) points.push([s.t, name === 'all' ? all : (s.commands?.[name] ?? null)]);
  }
  return out;
}

/**
 * The service's health, read again every few seconds: /readyz (checks, stuck projections), /metrics
 * (command counters: throughput is their rate between polls, for the process that answers) and,
 * with operations:manage, GET /v1/operations/projections (lag per projection, queue depth, the
 * tenant's parked events and allocation backlog). The charts show the polls of the last minutes.
 */
export function OperationsPage() {
  const { can } = useSession();
  const allowed = can('operations:manage');
  const [ready, setReady] = useState<Readiness | null>(null);
  const [status, setStatus] = useState<ProjectionsStatus | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    async function poll() {
      const [r, m, s] = await Promise.allSettled([
        api.get<Readiness>('/readyz'),
        api.getText('/metrics').then(parseMetrics),
        allowed ? ok(oms.GET('/v1/operations/projections')) : Promise.resolve(null),
      ]);
      if (!live) return;
      const t = Date.now();
      const failed: Problem[] = [];
      if (r.status === 'fulfilled') setReady(r.value);
      else {
        // A 503 carries the same report (its `status` field overwritten by the HTTP status): show it.
        const p = asProblem(r.reason) as Problem & Partial<Readiness>;
        if (p.status === 503 && Array.isArray(p.checks))
          setReady({
            status: 'unavailable',
            checks: p.checks,
            rateLimiting: p.rateLimiting ?? '',
            stuck: p.stuck ?? [],
          });
        else failed.push(p);
      }
      if (m.status === 'rejected') failed.push(asProblem(m.reason));
      if (s.status === 'rejected') failed.push(asProblem(s.reason));
      const st = s.status === 'fulfilled' ? s.value : null;
      if (st) setStatus(st);
      // Per queue the jobs still to run (waiting, active, delayed), and its failed ones apart.
      const depth: Record<string, number | null> = {};
      for (const q of st?.queues ?? []) {
        depth[q.name] = q.waiting === null ? null : q.waiting + (q.active ?? 0) + (q.delayed ?? 0);
        depth[`${q.name} failed`] = q.failed;
      }
      if (st) depth['allocation demand'] = st.allocationDemand.rows;
      record({
        t,
        lag: Object.fromEntries((st?.projections ?? []).map((p) => [p.name, p.lagEvents])),
        depth,
        commands: m.status === 'fulfilled' ? commandRates(t, commandCounters(m.value)) : null,
      });
      setProblems(failed);
      setTick((n) => n + 1);
    }
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [allowed]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the charts follow the polls (tick), not their inputs
  const charts = useMemo(
    () => ({
      lag: lineChart('events', seriesOf('lag')),
      depth: lineChart('jobs / rows', seriesOf('depth')),
      commands: lineChart('commands/s', commandSeries()),
    }),
    [tick],
  );

  return (
    <section>
      <h1>Operations</h1>
      {problems.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the list is rebuilt on every poll
        <ProblemBanner key={i} problem={p} />
      ))}
      {ready ? (
        <>
          <h2>
            Readiness: <span className={`status status-${ready.status}`}>{ready.status}</span>{' '}
            <span className="muted">rate limiting {ready.rateLimiting}</span>
          </h2>
          <table data-testid="checks">
            <thead>
              <tr>
                <th>Check</th>
                <th>OK</th>
                <th className="num">ms</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {ready.checks.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.ok ? '✔' : '✘'}</td>
                  <td className="num">{c.ms}</td>
                  <td>{c.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {ready.stuck?.length ? (
            <p className="problem">
              Stuck: {ready.stuck.map((s) => `${s.projection} since ${s.failingSince}`).join(', ')}
            </p>
          ) : null}
        </>
      ) : null}
      <h2>Live</h2>
      <p className="muted small">
        Polled every {POLL_MS / 1000} s; the charts keep the last {Math.round((WINDOW * POLL_MS) / 60_000)} minutes in
        this tab. Throughput is that of the API process answering /metrics.
      </p>
      {allowed ? (
        <>
          <h3>Projection lag (events behind the log head)</h3>
          <Chart testId="lag-chart" option={charts.lag} />
          <h3>Queue depth (jobs to run, failed jobs, this tenant's allocation demand)</h3>
          <Chart testId="depth-chart" option={charts.depth} />
        </>
      ) : (
        <p className="muted small">
          Projection lag and queue depth need a key with <code>operations:manage</code>.
        </p>
      )}
      <h3>Command throughput (per outcome)</h3>
      <Chart testId="commands-chart" option={charts.commands} />
      {allowed && status ? <ProjectionsTable status={status} /> : null}
      {allowed ? (
        <TenantFailures pollTick={tick} />
      ) : (
        <p className="muted small">
          This tenant's parked events and failed jobs need a key with <code>operations:manage</code>.
        </p>
      )}
    </section>
  );
}

function ProjectionsTable({ status }: { status: ProjectionsStatus }) {
  return (
    <>
      <h2>
        Projections <span className="muted small">log head {status.head ?? '(empty)'}</span>
      </h2>
      <table data-testid="projections">
        <thead>
          <tr>
            <th>Projection</th>
            <th>Position</th>
            <th className="num">Lag (events)</th>
            <th className="num">Lag (s)</th>
            <th className="num">Processed</th>
            <th className="num">Parked (this tenant)</th>
          </tr>
        </thead>
        <tbody>
          {status.projections.map((p) => (
            <tr key={p.name} className={p.parked > 0 ? 'low' : ''}>
              <td>{p.name}</td>
              <td className="mono">{p.position ?? '–'}</td>
              <td className="num">
                {p.lagCapped ? '≥ ' : ''}
                {p.lagEvents}
              </td>
              <td className="num">{p.lagSeconds.toFixed(1)}</td>
              <td className="num">{p.eventsProcessed}</td>
              <td className="num">{p.parked}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Job queues</h3>
      <table data-testid="queue">
        <thead>
          <tr>
            <th>Queue</th>
            {QUEUE_STATES.map((s) => (
              <th key={s} className="num">
                {s}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {status.queues.map((q) => (
            <tr key={q.name} className={(q.failed ?? 0) > 0 ? 'low' : ''}>
              <td>{q.name}</td>
              {QUEUE_STATES.map((s) => (
                <td key={s} className="num">
                  {q[s] ?? 'n/a'}
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <td>allocation demand (this tenant)</td>
            <td className="num">{status.allocationDemand.rows}</td>
            <td colSpan={3} className="muted">
              {status.allocationDemand.oldestAt ? `oldest ${time(status.allocationDemand.oldestAt)}` : ''}
            </td>
          </tr>
        </tbody>
      </table>
    </>
  );
}

/** The tenant's own parked events and failed jobs (GET /v1/operations/…), each with a retry. */
function TenantFailures({ pollTick }: { pollTick: number }) {
  const parked = useApi(() => ok(oms.GET('/v1/operations/parked-events')), []);
  const failed = useApi(() => ok(oms.GET('/v1/operations/failed-jobs')), []);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // Read again with every tenth poll: cheap enough, and a retry reloads at once.
  useEffect(() => {
    if (pollTick > 0 && pollTick % 10 === 0) {
      parked.reload();
      failed.reload();
    }
  }, [pollTick, parked.reload, failed.reload]);
  async function retry(key: string, send: () => Promise<unknown>, reload: () => void) {
    setBusy(key);
    try {
      await send();
      setProblem(null);
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(null);
      reload();
    }
  }
  return (
    <>
      <ProblemBanner problem={problem} />
      <h3>This tenant's parked events</h3>
      <ProblemBanner problem={parked.problem} />
      <table data-testid="tenant-parked">
        <thead>
          <tr>
            <th>Projection</th>
            <th>Event</th>
            <th>Stream</th>
            <th className="num">Attempts</th>
            <th>Last failed</th>
            <th>Error</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {parked.data?.data.map((p) => {
            const key = `${p.projection}/${p.eventId}`;
            const send = () =>
              ok(
                oms.POST('/v1/operations/parked-events/{eventId}/retry', {
                  params: { path: { eventId: p.eventId }, query: { projection: p.projection } },
                }),
              );
            return (
              <tr key={key}>
                <td>{p.projection}</td>
                <td>
                  {p.eventType} <span className="mono muted">{p.eventId}</span>
                </td>
                <td className="mono">
                  {p.stream} @{p.revision}
                </td>
                <td className="num">{p.attempts}</td>
                <td>{time(p.lastFailedAt)}</td>
                <td>{p.error}</td>
                <td>
                  <button type="button" disabled={busy === key} onClick={() => retry(key, send, parked.reload)}>
                    Retry
                  </button>
                </td>
              </tr>
            );
          })}
          {parked.data?.data.length === 0 ? (
            <tr>
              <td colSpan={7} className="muted">
                None.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <p className="muted small">
        Retry applies the event again (as <code>oms projections retry-parked</code> does); one that fails again stays
        parked with its new error. Retry a stream's parked events in their order.
      </p>
      <h3>This tenant's failed jobs</h3>
      <ProblemBanner problem={failed.problem} />
      <table data-testid="failed-jobs">
        <thead>
          <tr>
            <th>Job</th>
            <th>Event</th>
            <th className="num">Attempts</th>
            <th>Failed</th>
            <th>Reason</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {failed.data?.data.map((j) => (
            <tr key={j.id}>
              <td className="mono">{j.id}</td>
              <td>{j.eventType ?? '–'}</td>
              <td className="num">{j.attempts}</td>
              <td>{time(j.failedAt)}</td>
              <td>{j.failedReason}</td>
              <td>
                <button
                  type="button"
                  disabled={busy === `job/${j.id}`}
                  onClick={() =>
                    retry(
                      `job/${j.id}`,
                      () =>
                        ok(oms.POST('/v1/operations/failed-jobs/{jobId}/retry', { params: { path: { jobId: j.id } } })),
                      failed.reload,
                    )
                  }
                >
                  Retry
                </button>
              </td>
            </tr>
          ))}
          {failed.data?.data.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted">
                None.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </>
  );
}
