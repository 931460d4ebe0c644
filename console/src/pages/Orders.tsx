import { type FormEvent, useState } from 'react';
import { given, ok, oms, type QueryOf } from '../api.ts';
import { Pager } from '../components/Pager.tsx';
import { ProblemBanner } from '../components/ProblemBanner.tsx';
import { Status, money, time } from '../components/format.tsx';
import { href } from '../route.ts';
import { useApi } from '../useApi.ts';

type OrderStatus = NonNullable<QueryOf<'listOrders'>['status']>;
const STATUSES: ('' | OrderStatus)[] = [
  '',
  'pending',
  'confirmed',
  'backordered',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
];

interface Filters {
  status: '' | OrderStatus;
  customerId: string;
  externalId: string;
  sku: string;
  createdFrom: string;
  createdTo: string;
}

const EMPTY: Filters = { status: '', customerId: '', externalId: '', sku: '', createdFrom: '', createdTo: '' };
/** A date input's day as the RFC 3339 time the API filters on (UTC midnight). */
const day = (d: string) => (d ? `${d}T00:00:00Z` : undefined);

/** GET /v1/orders with every filter it takes, newest first, keyset-paged. */
export function OrdersPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [trail, setTrail] = useState<(string | null)[]>([null]);
  const cursor = trail[trail.length - 1] ?? null;
  const { data, problem, loading } = useApi(
    () =>
      ok(
        oms.GET('/v1/orders', {
          params: {
            query: {
              status: given(filters.status),
              customerId: given(filters.customerId.trim()),
              externalId: given(filters.externalId.trim()),
              sku: given(filters.sku.trim()),
              createdFrom: day(filters.createdFrom),
              createdTo: day(filters.createdTo),
              limit: 25,
              cursor: cursor ?? undefined,
            },
          },
        }),
      ),
    [filters, cursor],
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setTrail([null]);
  };
  const field = (name: keyof Filters) => ({
    name,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });
  return (
    <section>
      <h1>Orders</h1>
      <form className="filters" onSubmit={submit}>
        <label>
          Status
          <select {...field('status')}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s ? s.replace(/_/g, ' ') : 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Customer id
          <input {...field('customerId')} placeholder="cus_…" />
        </label>
        <label>
          External id
          <input {...field('externalId')} />
        </label>
        <label>
          SKU
          <input {...field('sku')} placeholder="TSHIRT-RED-M" />
        </label>
        <label>
          Created from
          <input type="date" {...field('createdFrom')} />
        </label>
        <label>
          Created before
          <input type="date" {...field('createdTo')} />
        </label>
        <button type="submit">Search</button>
      </form>
      <ProblemBanner problem={problem} />
      <table data-testid="orders">
        <thead>
          <tr>
            <th>Order</th>
            <th>Status</th>
            <th>External id</th>
            <th>Customer</th>
            <th className="num">Units</th>
            <th className="num">Total</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {data?.data.map((o) => (
            <tr key={o.id}>
              <td>
                <a href={href('orders', o.id)}>{o.id}</a>
              </td>
              <td>
                <Status status={o.status} />
              </td>
              <td>{o.externalId ?? '–'}</td>
              <td className="mono">{o.customerId}</td>
              <td className="num">{o.totals.quantity}</td>
              <td className="num">{money(o.totals.total, o.currency)}</td>
              <td>{time(o.createdAt)}</td>
            </tr>
          ))}
          {data && data.data.length === 0 ? (
            <tr>
              <td colSpan={7} className="muted">
                No orders match.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {loading ? <p className="muted">Loading…</p> : null}
      <Pager trail={trail} next={data?.nextCursor ?? null} onMove={setTrail} />
    </section>
  );
}
