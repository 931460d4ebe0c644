import { useEffect, useState } from 'react';
import { api, type Page, type Problem } from '../api.ts';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { time } from '../components/format.tsx';
import { parseMetrics } from '../metrics.ts';
import { useSession } from '../session.tsx';
import { asProblem, useApi } from '../useApi.ts';

interface ParkedEvent {
  projection: string;
  eventId: string;
  eventType: string;
  stream: string;
  revision: number;
  error: string;
  attempts: number;
  lastFailedAt: string;
}

interface FailedJob {
  id: string;
  handler: string;
  eventType: string | null;
  attempts: number;
  failedReason: string;
  failedAt: string | null;
}

interface Readiness {
  status: string;
  checks: { name: string; ok: boolean; ms: number; error?: string }[];
  rateLimiting: string;
  stuck?: { projection: string; failingSince: string; failures: number }[];
  degraded?: { projection: string; parked: number }[];
}

/**
 * The service's health from its public operational endpoints: /readyz (checks, stuck projections,
 * parked events per projection) and /metrics (projection lag, queue depth), read again every 5 s.
 */
export function OperationsPage() {
  const ready = useApi(() => api.get<Readiness>('/readyz').catch((e) => Promise.reject(e)), []);
  const metrics = useApi(async () => parseMetrics(await api.getText('/metrics')), []);
  useEffect(() => {
    const t = setInterval(() => {
      ready.reload();
      metrics.reload();
    }, 5000);
    return () => clearInterval(t);
  }, [ready.reload, metrics.reload]);
  const samples = metrics.data ?? [];
  const lag = samples.filter((s) => s.name === 'oms_projection_lag_seconds');
  const processed = new Map(
    samples.filter((s) => s.name === 'oms_projection_events_total').map((s) => [s.labels.projection, s.value]),
  );
  const parked = new Map(
    samples.filter((s) => s.name === 'oms_projection_events_parked_total').map((s) => [s.labels.projection, s.value]),
  );
  const queue = samples.filter((s) => s.name === 'oms_queue_jobs');
  return (
    <section>
      <h1>Operations</h1>
      <ProblemBanner problem={ready.problem} />
      {ready.data ? (
        <>
          <h2>
            Readiness: <span className={`status status-${ready.data.status}`}>{ready.data.status}</span>{' '}
            <span className="muted">rate limiting {ready.data.rateLimiting}</span>
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
              {ready.data.checks.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.ok ? '✔' : '✘'}</td>
                  <td className="num">{c.ms}</td>
                  <td>{c.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {ready.data.stuck?.length ? (
            <p className="problem">
              Stuck: {ready.data.stuck.map((s) => `${s.projection} since ${s.failingSince}`).join(', ')}
            </p>
          ) : null}
          <h2>Parked events per projection (all tenants)</h2>
          <table data-testid="parked">
            <thead>
              <tr>
                <th>Projection</th>
                <th className="num">Parked events</th>
              </tr>
            </thead>
            <tbody>
              {(ready.data.degraded ?? []).map((d) => (
                <tr key={d.projection}>
                  <td>{d.projection}</td>
                  <td className="num">{d.parked}</td>
                </tr>
              ))}
              {(ready.data.degraded ?? []).length === 0 ? (
                <tr>
                  <td colSpan={2} className="muted">
                    No projection has parked events.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <TenantFailures />
        </>
      ) : null}
      <ProblemBanner problem={metrics.problem} />
      <h2>Projection lag</h2>
      <table data-testid="lag">
        <thead>
          <tr>
            <th>Projection</th>
            <th className="num">Lag (s)</th>
            <th className="num">Events processed</th>
            <th className="num">Parked since start</th>
          </tr>
        </thead>
        <tbody>
          {lag.map((s) => (
            <tr key={s.labels.projection}>
              <td>{s.labels.projection}</td>
              <td className="num">{s.value.toFixed(3)}</td>
              <td className="num">{processed.get(s.labels.projection) ?? 0}</td>
              <td className="num">{parked.get(s.labels.projection) ?? 0}</td>
            </tr>
          ))}
          {lag.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                This process runs no projector (OMS_ROLE): its metrics have no lag.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <h2>Job queue</h2>
      <table data-testid="queue">
        <thead>
          <tr>
            <th>Queue</th>
            <th>State</th>
            <th className="num">Jobs</th>
          </tr>
        </thead>
        <tbody>
          {queue.map((s) => (
            <tr
              key={`${s.labels.queue}/${s.labels.state}`}
              className={s.labels.state === 'failed' && s.value > 0 ? 'low' : ''}
            >
              <td>{s.labels.queue}</td>
              <td>{s.labels.state}</td>
              <td className="num">{s.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The tenant's own parked events and failed jobs (GET /v1/operations/…), with a retry per job: operations:manage only. */
function TenantFailures() {
  const { can } = useSession();
  const allowed = can('operations:manage');
  const none = () => Promise.resolve({ data: [], nextCursor: null });
  const parked = useApi(() => (allowed ? api.get<Page<ParkedEvent>>('/v1/operations/parked-events') : none()), []);
  const failed = useApi(() => (allowed ? api.get<Page<FailedJob>>('/v1/operations/failed-jobs') : none()), []);
  const [problem, setProblem] = useState<Problem | null>(null);
  if (!allowed)
    return (
      <p className="muted small">
        This tenant's parked events and failed jobs need a key with <code>operations:manage</code>.
      </p>
    );
  async function retry(id: string) {
    try {
      await api.post(`/v1/operations/failed-jobs/${encodeURIComponent(id)}/retry`, undefined);
      setProblem(null);
      failed.reload();
    } catch (err) {
      setProblem(asProblem(err));
    }
  }
  return (
    <>
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
          </tr>
        </thead>
        <tbody>
          {parked.data?.data.map((p) => (
            <tr key={`${p.projection}/${p.eventId}`}>
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
            </tr>
          ))}
          {parked.data?.data.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted">
                None.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <p className="muted small">
        A parked event is applied again with <code>oms projections retry-parked</code> (docs/operations.md).
      </p>
      <h3>This tenant's failed jobs</h3>
      <ProblemBanner problem={failed.problem ?? problem} />
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
                <button type="button" onClick={() => retry(j.id)}>
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
