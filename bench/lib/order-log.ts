import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { seal } from '../../src/pii/envelope.ts';
import type { PiiKeys } from '../../src/pii/keys.ts';

// A realistic orders log for the rebuild benchmark, written straight into es_events in the store's
// own format (personal data sealed under per-customer keys in pii_keys, revisions per stream,
// es_streams heads), far faster than appending through the API. Orders are placed in waves and
// each one's later events land a few waves on, so an order's events are spread over the log as
// they are in production: allocated and confirmed (or backordered) at once, some changed, a few
// cancelled, the rest shipped (sometimes in two shipments, now and then one cancelled) and
// delivered. A few customers are forgotten (key destroyed, CustomerForgotten appended).

export interface OrderLogOptions {
  tenant: string;
  /** Order events to write (the CustomerForgotten events come on top). */
  events: number;
  customers?: number;
  /** Customers forgotten along the way. */
  forgotten?: number;
  seed?: number;
  onProgress?: (written: number) => void;
}

export interface OrderLog {
  orders: number;
  events: number;
  forgotten: number;
}

/** Orders placed per wave; an order's events span about six waves (some 30,000 events). */
const WAVE = 1_000;
/** Events per insert statement (each its own transaction, like appends). */
const INSERT_ROWS = 5_000;

const INSERT_SQL = `
insert into es_events (event_id, stream_name, stream_revision, tenant, event_type, data, metadata, created_at)
select * from unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])`;

/** A small seeded PRNG (mulberry32), so every run builds the same log. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row {
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  at: string;
}

export async function buildOrderLog(pool: pg.Pool, keys: PiiKeys, opts: OrderLogOptions): Promise<OrderLog> {
  const { tenant } = opts;
  const rnd = random(opts.seed ?? 13);
  const pick = (n: number) => Math.floor(rnd() * n);
  const customerCount = opts.customers ?? 10_000;
  const customerId = (c: number) => `cus_${String(c).padStart(26, '0')}`;
  const keyOf: Buffer[] = [];
  // Data keys made the store's way (wrapped by the master key in pii_keys), many at a time.
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      for (let c = w; c < customerCount; c += 32) keyOf[c] = await keys.keyForWriting(tenant, customerId(c));
    }),
  );

  const revisions = new Map<string, number>();
  const pending: Row[] = [];
  let written = 0;
  let clock = Date.UTC(2026, 0, 1);
  const at = () => {
    clock += 250;
    return new Date(clock).toISOString();
  };
  const flush = async (all: boolean) => {
    while (pending.length >= INSERT_ROWS || (all && pending.length > 0)) {
      const rows = pending.splice(0, INSERT_ROWS);
      const meta = JSON.stringify({ tenant, actor: 'bench', correlationId: randomUUID(), causationId: null });
      await pool.query(INSERT_SQL, [
        rows.map((r) => r.id),
        rows.map((r) => r.stream),
        rows.map((r) => r.revision),
        rows.map(() => tenant),
        rows.map((r) => r.type),
        rows.map((r) => JSON.stringify(r.data)),
        rows.map(() => meta),
        rows.map((r) => r.at),
      ]);
      written += rows.length;
      opts.onProgress?.(written);
    }
  };
  const push = (stream: string, type: string, data: unknown) => {
    const revision = revisions.get(stream) ?? 0;
    revisions.set(stream, revision + 1);
    pending.push({ id: randomUUID(), stream, revision, type, data, at: at() });
  };

  // Later events by the wave they are due in.
  const due = new Map<number, (() => void)[]>();
  const later = (wave: number, fn: () => void) => {
    const list = due.get(wave) ?? [];
    list.push(fn);
    due.set(wave, list);
  };
  const forgetEvery = Math.max(1, Math.floor(opts.events / Math.max(1, opts.forgotten ?? 20)));
  let nextForget = forgetEvery;
  let orders = 0;
  let forgotten = 0;
  const gone = new Set<number>();
  for (let wave = 0; written + pending.length < opts.events; wave++) {
    for (let i = 0; i < WAVE; i++) {
      const n = orders++;
      const orderId = `ord_${String(n).padStart(26, '0')}`;
      const stream = `${tenant}:order:${orderId}`;
      let c = pick(customerCount);
      // A forgotten customer has no key any more (the store refuses to seal for them): orders go to others.
      while (gone.has(c)) c = pick(customerCount);
      const cid = customerId(c);
      const key = keyOf[c]!;
      const lines = Array.from({ length: 1 + pick(4) }, (_, l) => ({
        sku: `SKU-${(n * 7 + l * 13) % 2_000}`,
        quantity: 1 + pick(5),
        unitPrice: 100 * (1 + pick(200)),
      }));
      const address = { line1: `${1 + pick(200)} Main St`, city: 'Berlin', postalCode: '10115', country: 'DE' };
      const notes = rnd() < 0.3 ? `leave at door ${n}` : null;
      const placedAt = at();
      push(stream, 'OrderPlaced', {
        orderId,
        customerId: cid,
        currency: 'EUR',
        lines,
        // The store seals personal data (see src/pii/pii-event-store.ts): so does this log.
        shippingAddress: seal(key, tenant, cid, address),
        externalId: rnd() < 0.5 ? `ext-${n}` : null,
        notes: notes === null ? null : seal(key, tenant, cid, notes),
        placedAt,
      });
      const location = `WH-${pick(3)}`;
      const short = rnd() < 0.1;
      push(stream, 'OrderAllocationRecorded', {
        allocations: lines.map((l) => ({ sku: l.sku, location, reserved: short ? l.quantity - 1 : l.quantity })),
        occurredAt: at(),
      });
      if (short)
        push(stream, 'OrderBackordered', { shortages: [{ sku: lines[0]!.sku, quantity: 1 }], occurredAt: at() });
      else push(stream, 'OrderConfirmed', { occurredAt: at() });
      if (rnd() < 0.15)
        later(wave + 1, () =>
          gone.has(c)
            ? undefined
            : push(stream, 'OrderUpdated', {
                changes: { notes: seal(key, tenant, cid, `call first ${n}`) },
                releases: [],
                updatedAt: at(),
              }),
        );
      if (rnd() < 0.08) {
        later(wave + 2, () =>
          push(stream, 'OrderCancelled', {
            reason: 'customer request',
            releases: lines.map((l) => ({ sku: l.sku, location, quantity: short ? l.quantity - 1 : l.quantity })),
            cancelledAt: at(),
          }),
        );
        continue;
      }
      const shipment = (k: number) => `shp_${String(n * 4 + k).padStart(26, '0')}`;
      const split = lines.length > 1 && rnd() < 0.3;
      const parts = split ? [lines.slice(0, 1), lines.slice(1)] : [lines];
      for (const [k, part] of parts.entries())
        later(wave + 3 + k, () =>
          push(stream, 'OrderShipmentRecorded', {
            shipmentId: shipment(k),
            location,
            lines: part.map((l) => ({ sku: l.sku, quantity: short && l === lines[0] ? l.quantity - 1 : l.quantity })),
            occurredAt: at(),
            details: { carrier: 'dhl', trackingNumber: `TRK${n}${k}`, service: null },
          }),
        );
      if (rnd() < 0.03)
        later(wave + 4, () => push(stream, 'OrderShipmentCancelled', { shipmentId: shipment(0), occurredAt: at() }));
      else
        for (const k of parts.keys())
          later(wave + 6 + k, () =>
            push(stream, 'OrderShipmentDelivered', { shipmentId: shipment(k), occurredAt: at() }),
          );
    }
    for (const fn of due.get(wave) ?? []) fn();
    due.delete(wave);
    if (written + pending.length >= nextForget && forgotten < (opts.forgotten ?? 20)) {
      nextForget += forgetEvery;
      const c = pick(customerCount);
      gone.add(c);
      await keys.destroy(tenant, customerId(c));
      push(`${tenant}:customer:${customerId(c)}`, 'CustomerForgotten', {
        customerId: customerId(c),
        forgottenAt: at(),
      });
      forgotten++;
    }
    await flush(false);
  }
  await flush(true);
  await pool.query(
    `insert into es_streams (stream_name, revision)
     select * from unnest($1::text[], $2::bigint[])
     on conflict (stream_name) do update set revision = excluded.revision`,
    [[...revisions.keys()], [...revisions.values()].map((r) => r - 1)],
  );
  await pool.query('analyze es_events');
  return { orders, events: written, forgotten };
}
