import { api } from '../api.ts';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { parseMetrics } from '../metrics.ts';
import { useApi } from '../useApi.ts';
import { useEffect } from 'react';

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
          <h2>Parked events</h2>
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
          <p className="muted small">
            Listing and retrying parked events and failed jobs is done with <code>oms projections parked</code>,{' '}
            <code>oms projections retry-parked</code>, <code>oms jobs failed</code> and <code>oms jobs retry</code>{' '}
            (docs/operations.md).
          </p>
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
