import { useState } from 'react';
import { ok, oms, type Problem } from '../api.ts';
import { Pager } from '../components/Pager.tsx';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { Status, time } from '../components/format.tsx';
import { href } from '../route.ts';
import { useSession } from '../session.tsx';
import { asProblem, useApi } from '../useApi.ts';

/** Endpoints (deleted ones too), one endpoint's deliveries with every attempt, and redelivery. */
export function WebhooksPage({ endpointId }: { endpointId?: string }) {
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const cursor = trail[trail.length - 1] ?? null;
  const endpoints = useApi(
    () =>
      ok(
        oms.GET('/v1/webhook-endpoints', {
          params: { query: { includeDeleted: true, limit: 25, cursor: cursor ?? undefined } },
        }),
      ),
    [cursor],
  );
  return (
    <section>
      <h1>Webhooks</h1>
      <ProblemBanner problem={endpoints.problem} />
      <table data-testid="endpoints">
        <thead>
          <tr>
            <th>Endpoint</th>
            <th>URL</th>
            <th>Events</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {endpoints.data?.data.map((e) => (
            <tr key={e.id} className={e.deletedAt ? 'deleted' : ''}>
              <td>
                <a href={href('webhooks', e.id)}>{e.id}</a>
                {e.deletedAt ? <span className="muted"> (deleted)</span> : null}
              </td>
              <td className="mono">{e.url}</td>
              <td>{e.events.join(', ')}</td>
              <td>{time(e.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager trail={trail} next={endpoints.data?.nextCursor ?? null} onMove={setTrail} />
      {endpointId ? <Deliveries endpointId={endpointId} /> : null}
    </section>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const { can } = useSession();
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const cursor = trail[trail.length - 1] ?? null;
  const deliveries = useApi(
    () =>
      ok(
        oms.GET('/v1/webhook-endpoints/{id}/deliveries', {
          params: { path: { id: endpointId }, query: { limit: 25, cursor: cursor ?? undefined } },
        }),
      ),
    [endpointId, cursor],
  );
  async function redeliver(id: string) {
    try {
      await ok(
        oms.POST('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver', {
          params: { path: { id: endpointId, deliveryId: id } },
        }),
      );
      setProblem(null);
      deliveries.reload();
    } catch (err) {
      setProblem(asProblem(err));
    }
  }
  return (
    <>
      <h2>
        Deliveries to <span className="mono">{endpointId}</span>
      </h2>
      <ProblemBanner problem={deliveries.problem ?? problem} />
      <table data-testid="deliveries">
        <thead>
          <tr>
            <th>Delivery</th>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {deliveries.data?.data.map((d) => (
            <tr key={d.id}>
              <td className="mono">{d.id}</td>
              <td>{d.type}</td>
              <td>
                <Status status={d.status} />
              </td>
              <td>
                <ul className="attempts">
                  {d.attempts.map((a) => (
                    <li key={a.attempt}>
                      #{a.attempt} {time(a.at)} → {a.statusCode ?? 'no answer'} in {a.latencyMs} ms
                      {a.error ? <span className="muted"> ({a.error})</span> : null}
                    </li>
                  ))}
                </ul>
              </td>
              <td>{time(d.updatedAt)}</td>
              <td>
                {can('webhooks:manage') && d.status !== 'pending' ? (
                  <button type="button" onClick={() => redeliver(d.id)}>
                    Redeliver
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager trail={trail} next={deliveries.data?.nextCursor ?? null} onMove={setTrail} />
    </>
  );
}
