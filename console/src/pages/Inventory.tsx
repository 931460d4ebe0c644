import { type FormEvent, useState } from 'react';
import { type BodyOf, given, ok, oms, type Problem, type RecordedEvent } from '../api.ts';
import { Pager } from '../components/Pager.tsx';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { time } from '../components/format.tsx';
import { wholeHistory } from '../history.ts';
import { go, href } from '../route.ts';
import { useSession } from '../session.tsx';
import { asProblem, useApi } from '../useApi.ts';

/** Levels per SKU × location (keyset-paged), low stock (filtered by the API), one SKU's ledger and wait list. */
export function InventoryPage({ sku }: { sku?: string }) {
  const { can } = useSession();
  const [draft, setDraft] = useState({ sku: '', location: '' });
  const [filters, setFilters] = useState({ sku: '', location: '' });
  const [lowAt, setLowAt] = useState(5);
  const [onlyLow, setOnlyLow] = useState(false);
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const [tick, setTick] = useState(0);
  const cursor = trail[trail.length - 1] ?? null;
  const levels = useApi(
    () =>
      ok(
        oms.GET('/v1/inventory', {
          params: {
            query: {
              sku: given(filters.sku),
              location: given(filters.location),
              maxAvailable: onlyLow ? lowAt : undefined,
              limit: 50,
              cursor: cursor ?? undefined,
            },
          },
        }),
      ),
    [filters, cursor, tick, onlyLow, lowAt],
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setTrail([null]);
  };
  const rows = levels.data?.data ?? [];
  return (
    <section>
      <h1>Inventory</h1>
      {can('inventory:write') ? <AdjustForm sku={sku} onDone={() => setTick((n) => n + 1)} /> : null}
      {sku ? <SkuDetail sku={sku} tick={tick} /> : null}
      <h2>Levels</h2>
      <form className="filters" onSubmit={submit}>
        <label>
          SKU
          <input value={draft.sku} onChange={(e) => setDraft({ ...draft, sku: e.target.value })} />
        </label>
        <label>
          Location
          <input value={draft.location} onChange={(e) => setDraft({ ...draft, location: e.target.value })} />
        </label>
        <button type="submit">Search</button>
        <label>
          Low stock at ≤
          <input
            type="number"
            min={0}
            value={lowAt}
            onChange={(e) => {
              setLowAt(Math.max(0, Math.trunc(Number(e.target.value)) || 0));
              setTrail([null]);
            }}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={onlyLow}
            onChange={(e) => {
              setOnlyLow(e.target.checked);
              setTrail([null]);
            }}
          />{' '}
          only low stock
        </label>
      </form>
      <ProblemBanner problem={levels.problem} />
      <table data-testid="levels">
        <thead>
          <tr>
            <th>SKU</th>
            <th>Location</th>
            <th className="num">On hand</th>
            <th className="num">Reserved</th>
            <th className="num">Available</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((l) => (
            <tr key={`${l.sku}@${l.location}`} className={l.available <= lowAt ? 'low' : ''}>
              <td>
                <a href={href('inventory', l.sku)}>{l.sku}</a>
              </td>
              <td>{l.location}</td>
              <td className="num">{l.onHand}</td>
              <td className="num">{l.reserved}</td>
              <td className="num">{l.available}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager trail={trail} next={levels.data?.nextCursor ?? null} onMove={setTrail} />
    </section>
  );
}

interface Waiting {
  location: string;
  orderId: string;
  quantity: number;
  since: string;
}

/** The first-come-first-served queue per location, folded from the SKU's history (Backorder* events). */
function waitList(events: RecordedEvent[]): Waiting[] {
  const queue = new Map<string, Waiting>();
  for (const e of events) {
    const location = e.stream.id.slice(e.stream.id.lastIndexOf('@') + 1);
    const d = e.data as { orderId?: string; quantity?: number; remaining?: number };
    const key = `${location}/${d.orderId}`;
    if (e.type === 'BackorderQueued')
      queue.set(key, { location, orderId: d.orderId!, quantity: d.quantity!, since: e.occurredAt });
    else if (e.type === 'BackorderUpdated') {
      const w = queue.get(key);
      if (w) w.quantity = d.quantity!;
    } else if (e.type === 'BackorderDequeued') {
      const w = queue.get(key);
      if (w && d.remaining) w.quantity = d.remaining;
      else queue.delete(key);
    }
  }
  return [...queue.values()];
}

function SkuDetail({ sku, tick }: { sku: string; tick: number }) {
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const cursor = trail[trail.length - 1] ?? null;
  const total = useApi(() => ok(oms.GET('/v1/inventory/{sku}', { params: { path: { sku } } })), [sku, tick]);
  const movements = useApi(
    () =>
      ok(
        oms.GET('/v1/inventory/{sku}/movements', {
          params: { path: { sku }, query: { limit: 25, cursor: cursor ?? undefined } },
        }),
      ),
    [sku, cursor, tick],
  );
  const history = useApi(() => wholeHistory({ sku }), [sku, tick]);
  const waiting = history.data ? waitList(history.data) : [];
  return (
    <>
      <h2>
        {sku}{' '}
        {total.data ? (
          <span className="muted" data-testid="sku-total">
            on hand {total.data.onHand} · reserved {total.data.reserved} · available {total.data.available}
          </span>
        ) : null}
      </h2>
      <ProblemBanner problem={total.problem} />
      <h3>Wait list</h3>
      <table data-testid="wait-list">
        <thead>
          <tr>
            <th>#</th>
            <th>Order</th>
            <th>Location</th>
            <th className="num">Waiting for</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {waiting.map((w, i) => (
            <tr key={`${w.location}/${w.orderId}`}>
              <td>{i + 1}</td>
              <td>
                <a href={href('orders', w.orderId)}>{w.orderId}</a>
              </td>
              <td>{w.location}</td>
              <td className="num">{w.quantity}</td>
              <td>{time(w.since)}</td>
            </tr>
          ))}
          {history.data && waiting.length === 0 ? (
            <tr>
              <td colSpan={5} className="muted">
                Nobody waits for {sku}.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <h3>Movements</h3>
      <ProblemBanner problem={movements.problem} />
      <table data-testid="movements">
        <thead>
          <tr>
            <th>When</th>
            <th>Type</th>
            <th>Location</th>
            <th className="num">On hand Δ</th>
            <th className="num">Reserved Δ</th>
            <th className="num">On hand</th>
            <th className="num">Reserved</th>
            <th>Reason</th>
            <th>Order / reference</th>
          </tr>
        </thead>
        <tbody>
          {movements.data?.data.map((m) => (
            <tr key={m.id}>
              <td>{time(m.occurredAt)}</td>
              <td>{m.type}</td>
              <td>{m.location}</td>
              <td className="num">{m.onHandDelta}</td>
              <td className="num">{m.reservedDelta}</td>
              <td className="num">{m.onHand}</td>
              <td className="num">{m.reserved}</td>
              <td>{m.reason}</td>
              <td>{m.orderId ? <a href={href('orders', m.orderId)}>{m.orderId}</a> : (m.reference ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager trail={trail} next={movements.data?.nextCursor ?? null} onMove={setTrail} />
    </>
  );
}

type Reason = BodyOf<'adjustInventory'>['reason'];
const REASONS: Reason[] = ['received', 'returned', 'found', 'damaged', 'lost', 'correction'];

/** POST /v1/inventory/adjustments; shown only to a key with inventory:write. */
function AdjustForm({ sku, onDone }: { sku?: string; onDone: () => void }) {
  const [form, setForm] = useState({ sku: sku ?? '', location: 'default', delta: '10', reason: 'received' as Reason });
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const level = await ok(
        oms.POST('/v1/inventory/adjustments', {
          body: { sku: form.sku, location: given(form.location), delta: Number(form.delta), reason: form.reason },
        }),
      );
      setProblem(null);
      setDone(`${level.sku} at ${level.location}: on hand ${level.onHand}`);
      onDone();
      if (level.sku !== sku) go('inventory', level.sku);
    } catch (err) {
      setProblem(asProblem(err));
      setDone(null);
    }
  }
  return (
    <form className="filters actions" data-testid="write-actions" onSubmit={submit}>
      <strong>Adjust stock</strong>
      <label>
        SKU
        <input name="sku" value={form.sku} onChange={(e) => setForm({ ...form, sku: e.target.value })} />
      </label>
      <label>
        Location
        <input name="location" value={form.location} onChange={(e) => setForm({ ...form, location: e.target.value })} />
      </label>
      <label>
        Delta
        <input
          name="delta"
          type="number"
          value={form.delta}
          onChange={(e) => setForm({ ...form, delta: e.target.value })}
        />
      </label>
      <label>
        Reason
        <select
          name="reason"
          value={form.reason}
          onChange={(e) => setForm({ ...form, reason: e.target.value as Reason })}
        >
          {REASONS.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <button type="submit">Adjust</button>
      {done ? <span className="ok">{done}</span> : null}
      <ProblemBanner problem={problem} />
    </form>
  );
}
