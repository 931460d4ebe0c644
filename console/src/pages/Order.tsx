import { useEffect, useState } from 'react';
import { type Answer, ok, oms, type Order, type Problem } from '../api.ts';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { Json, Status, money, time } from '../components/format.tsx';
import { holdingsAt, wholeHistory } from '../history.ts';
import { href } from '../route.ts';
import { useSession } from '../session.tsx';
import { asProblem, useApi } from '../useApi.ts';

/** How often the latest version is read again while it is on screen (allocation runs in the background). */
const REFRESH_MS = 3000;

/** One order: lines, holdings per location, shipments, its event timeline, any past version and diffs. */
export function OrderPage({ id }: { id: string }) {
  const { can } = useSession();
  const [version, setVersion] = useState<number | null>(null); // null: the latest
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (version !== null) return;
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, [version]);
  const history = useApi(() => wholeHistory({ order: id }), [id, tick]);
  const latest = history.data?.length ?? 0;
  const order = useApi(
    () => ok(oms.GET('/v1/orders/{id}', { params: { path: { id }, query: { version: version ?? undefined } } })),
    [id, version, version === null ? tick : 0],
  );
  const shipments = useApi(
    () =>
      can('shipments:read')
        ? ok(oms.GET('/v1/shipments', { params: { query: { orderId: id, limit: 50 } } }))
        : Promise.resolve({ data: [], nextCursor: null }),
    [id, tick],
  );
  // While a picked version loads, the order on screen is still the one before: show nothing rather than mislabel it.
  const o = order.data && (version === null || order.data.version === version) ? order.data : null;
  const shown = version ?? latest;
  const holdings = history.data ? holdingsAt(history.data, shown) : [];
  return (
    <section>
      <p>
        <a href={href('orders')}>← Orders</a>
      </p>
      <h1>
        Order <span className="mono">{id}</span> {o ? <Status status={o.status} /> : null}
      </h1>
      <ProblemBanner problem={order.problem ?? history.problem} />
      <div className="toolbar">
        <label>
          Version
          <select
            data-testid="version-picker"
            value={version ?? 'latest'}
            onChange={(e) => setVersion(e.target.value === 'latest' ? null : Number(e.target.value))}
          >
            <option value="latest">latest ({latest})</option>
            {history.data?.map((e) => (
              <option key={e.revision} value={e.revision}>
                {e.revision} · {e.type}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={shown <= 1} onClick={() => setVersion(Math.max(1, shown - 1))}>
          ◀ Back one version
        </button>
        <button type="button" disabled={version === null} onClick={() => setVersion(null)}>
          Latest
        </button>
      </div>
      {version !== null && o ? (
        <p className="notice" data-testid="time-travel">
          Showing version {o.version} of {latest}, as it was at {time(o.updatedAt)}.
        </p>
      ) : null}
      {o ? (
        <>
          <dl className="facts">
            <dt>Customer</dt>
            <dd className="mono">{o.customerId}</dd>
            <dt>External id</dt>
            <dd>{o.externalId ?? '–'}</dd>
            <dt>Total</dt>
            <dd>{money(o.totals.total, o.currency)}</dd>
            <dt>Ship to</dt>
            <dd>
              {[o.shippingAddress.name, o.shippingAddress.line1, o.shippingAddress.city, o.shippingAddress.country]
                .filter(Boolean)
                .join(', ')}
            </dd>
            <dt>Created</dt>
            <dd>{time(o.createdAt)}</dd>
            <dt>Version</dt>
            <dd data-testid="order-version">{o.version}</dd>
          </dl>
          {version === null && can('orders:write') ? (
            <OrderActions order={o} onDone={() => setTick((n) => n + 1)} />
          ) : null}
          <h2>Lines</h2>
          <table data-testid="lines">
            <thead>
              <tr>
                <th>SKU</th>
                <th className="num">Quantity</th>
                <th className="num">Reserved</th>
                <th className="num">Shipped</th>
                <th className="num">Unit price</th>
                <th className="num">Line total</th>
              </tr>
            </thead>
            <tbody>
              {o.lines.map((l) => (
                <tr key={l.sku}>
                  <td>{can('inventory:read') ? <a href={href('inventory', l.sku)}>{l.sku}</a> : l.sku}</td>
                  <td className="num">{l.quantity}</td>
                  <td className="num">{l.reserved}</td>
                  <td className="num">{l.shipped}</td>
                  <td className="num">{money(l.unitPrice, o.currency)}</td>
                  <td className="num">{money(l.lineTotal, o.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Allocations per location</h2>
          <table data-testid="allocations">
            <thead>
              <tr>
                <th>SKU</th>
                <th>Location</th>
                <th className="num">Reserved</th>
                <th className="num">Shipped</th>
              </tr>
            </thead>
            <tbody>
              {holdings.map((h) => (
                <tr key={`${h.sku}@${h.location}`}>
                  <td>{h.sku}</td>
                  <td>{h.location}</td>
                  <td className="num">{h.reserved}</td>
                  <td className="num">{h.shipped}</td>
                </tr>
              ))}
              {holdings.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    Nothing held at any location.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </>
      ) : null}
      {can('shipments:read') ? (
        <>
          <h2>Shipments</h2>
          <ProblemBanner problem={shipments.problem} />
          <table data-testid="order-shipments">
            <thead>
              <tr>
                <th>Shipment</th>
                <th>Status</th>
                <th>Carrier</th>
                <th>Tracking</th>
                <th>From</th>
                <th>Lines</th>
              </tr>
            </thead>
            <tbody>
              {shipments.data?.data.map((s) => (
                <tr key={s.id}>
                  <td className="mono">{s.id}</td>
                  <td>
                    <Status status={s.status} />
                  </td>
                  <td>{s.carrier}</td>
                  <td>
                    {s.trackingNumber ? <a href={href('shipments', s.trackingNumber)}>{s.trackingNumber}</a> : '–'}
                  </td>
                  <td>{s.location}</td>
                  <td>{s.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')}</td>
                </tr>
              ))}
              {shipments.data?.data.length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">
                    No shipments.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </>
      ) : null}
      <h2>Timeline</h2>
      <ol className="timeline" data-testid="timeline">
        {history.data?.map((e) => (
          <li key={e.id} className={e.revision === shown ? 'current' : e.revision > shown ? 'future' : ''}>
            <div>
              <strong>
                {e.revision}. {e.type}
              </strong>{' '}
              <span className="muted">{time(e.occurredAt)}</span>{' '}
              <button type="button" className="link" onClick={() => setVersion(e.revision)}>
                view this version
              </button>
            </div>
            <div className="muted small">
              actor <span className="mono">{e.metadata.actor}</span> · correlation{' '}
              <span className="mono">{e.metadata.correlationId}</span>
              {e.metadata.causationId ? (
                <>
                  {' '}
                  · caused by <span className="mono">{e.metadata.causationId}</span>
                </>
              ) : null}
              {e.metadata.idempotencyKey ? <> · idempotency key {e.metadata.idempotencyKey}</> : null} · position{' '}
              {e.position}
            </div>
            <details>
              <summary>data</summary>
              <Json value={e.data} />
            </details>
          </li>
        ))}
      </ol>
      {latest > 0 ? <DiffView key={latest} id={id} latest={latest} /> : null}
    </section>
  );
}

/** GET /v1/orders/:id/diff between two versions (keyed by the latest: a new event resets the range to the last change). */
function DiffView({ id, latest }: { id: string; latest: number }) {
  const [from, setFrom] = useState(Math.max(0, latest - 1));
  const [to, setTo] = useState(latest);
  const [diff, setDiff] = useState<Answer<'get', '/v1/orders/{id}/diff'> | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const versions = Array.from({ length: latest + 1 }, (_, i) => i);
  async function compare() {
    try {
      setDiff(await ok(oms.GET('/v1/orders/{id}/diff', { params: { path: { id }, query: { from, to } } })));
      setProblem(null);
    } catch (err) {
      setProblem(asProblem(err));
    }
  }
  return (
    <>
      <h2>Compare versions</h2>
      <div className="toolbar">
        <label>
          From
          <select data-testid="diff-from" value={from} onChange={(e) => setFrom(Number(e.target.value))}>
            {versions.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          To
          <select data-testid="diff-to" value={to} onChange={(e) => setTo(Number(e.target.value))}>
            {versions.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={compare}>
          Compare
        </button>
      </div>
      <ProblemBanner problem={problem} />
      {diff ? (
        <table data-testid="diff">
          <thead>
            <tr>
              <th>Field</th>
              <th>Version {diff.from}</th>
              <th>Version {diff.to}</th>
            </tr>
          </thead>
          <tbody>
            {diff.changes.map((c) => (
              <tr key={c.path}>
                <td className="mono">{c.path}</td>
                <td className="mono">{JSON.stringify(c.from)}</td>
                <td className="mono">{JSON.stringify(c.to)}</td>
              </tr>
            ))}
            {diff.changes.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  No differences.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** Write buttons: rendered only for a key with orders:write, and only on the latest version. */
function OrderActions({ order, onDone }: { order: Order; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  if (!order.allowedActions.includes('cancel')) return null;
  async function cancel() {
    try {
      await ok(
        oms.POST('/v1/orders/{id}/cancel', {
          params: { path: { id: order.id }, header: { 'If-Match': `"${order.version}"` } },
          body: { reason: reason || 'cancelled by an operator' },
        }),
      );
      setProblem(null);
      onDone();
    } catch (err) {
      setProblem(asProblem(err));
    }
  }
  return (
    <div className="actions" data-testid="write-actions">
      <input placeholder="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="button" className="danger" onClick={cancel}>
        Cancel order
      </button>
      <ProblemBanner problem={problem} />
    </div>
  );
}
