import { type FormEvent, useState } from 'react';
import { given, ok, oms, type QueryOf } from '../api.ts';
import { Pager } from '../components/Pager.tsx';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { Status, time } from '../components/format.tsx';
import { go, href } from '../route.ts';
import { useApi } from '../useApi.ts';

type ShipmentStatus = NonNullable<QueryOf<'listShipments'>['status']>;
const STATUSES: ('' | ShipmentStatus)[] = [
  '',
  'label_created',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'exception',
  'returned',
  'cancelled',
];

/** Tracking lookup with each shipment's timeline, and the shipments list by status. */
export function ShipmentsPage({ tracking }: { tracking?: string }) {
  const [number, setNumber] = useState(tracking ?? '');
  const [status, setStatus] = useState<'' | ShipmentStatus>('');
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const cursor = trail[trail.length - 1] ?? null;
  const found = useApi(
    () =>
      tracking
        ? ok(
            oms.GET('/v1/tracking/{trackingNumber}', {
              params: { path: { trackingNumber: tracking }, query: { limit: 20 } },
            }),
          )
        : Promise.resolve(null),
    [tracking],
  );
  const list = useApi(
    () =>
      ok(
        oms.GET('/v1/shipments', {
          params: { query: { status: given(status), limit: 25, cursor: cursor ?? undefined } },
        }),
      ),
    [status, cursor],
  );
  const lookup = (e: FormEvent) => {
    e.preventDefault();
    if (number.trim()) go('shipments', number.trim());
  };
  return (
    <section>
      <h1>Shipments</h1>
      <form className="filters" onSubmit={lookup}>
        <label>
          Tracking number
          <input value={number} onChange={(e) => setNumber(e.target.value)} />
        </label>
        <button type="submit">Track</button>
      </form>
      <ProblemBanner problem={found.problem} />
      {found.data?.data.map((s) => (
        <article key={s.id} className="card" data-testid="tracking">
          <h2>
            {s.carrier} {s.trackingNumber} <Status status={s.status} />
          </h2>
          <p className="muted">
            shipment <span className="mono">{s.id}</span> of order <a href={href('orders', s.orderId)}>{s.orderId}</a>{' '}
            from {s.location}: {s.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')}
          </p>
          <ol className="timeline">
            {s.events.map((e) => (
              <li key={`${e.occurredAt}/${e.status}`}>
                <strong>
                  <Status status={e.status} />
                </strong>{' '}
                {time(e.occurredAt)} {e.location ? `· ${e.location}` : ''} {e.description ? `· ${e.description}` : ''}{' '}
                {e.carrierCode ? <span className="muted">({e.carrierCode})</span> : null}
              </li>
            ))}
          </ol>
        </article>
      ))}
      <h2>All shipments</h2>
      <label>
        Status{' '}
        <select
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as '' | ShipmentStatus); // one of STATUSES
            setTrail([null]);
          }}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s ? s.replace(/_/g, ' ') : 'any'}
            </option>
          ))}
        </select>
      </label>
      <ProblemBanner problem={list.problem} />
      <table data-testid="shipments">
        <thead>
          <tr>
            <th>Shipment</th>
            <th>Status</th>
            <th>Order</th>
            <th>Carrier</th>
            <th>Tracking</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.data.map((s) => (
            <tr key={s.id}>
              <td className="mono">{s.id}</td>
              <td>
                <Status status={s.status} />
              </td>
              <td>
                <a href={href('orders', s.orderId)}>{s.orderId}</a>
              </td>
              <td>{s.carrier}</td>
              <td>{s.trackingNumber ? <a href={href('shipments', s.trackingNumber)}>{s.trackingNumber}</a> : '–'}</td>
              <td>{time(s.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager trail={trail} next={list.data?.nextCursor ?? null} onMove={setTrail} />
    </section>
  );
}
