import { expect } from 'chai';
import type { client } from './http.ts';
import { waitFor } from './wait.ts';

type Api = ReturnType<typeof client>;
let seq = 0;

export const address = { name: 'Dock 4', line1: '1 Harbour Rd', city: 'Rotterdam', postalCode: '3011', country: 'NL' };

export async function newCustomer(api: Api): Promise<string> {
  const res = await api.post('/v1/customers', { email: `buyer${Date.now()}-${seq++}@example.com`, name: 'Buyer' });
  expect(res.status, res.text).to.equal(201);
  return res.body.id;
}

export async function adjust(
  api: Api,
  sku: string,
  delta: number,
  location?: string,
  reason = delta > 0 ? 'received' : 'damaged',
) {
  const res = await api.post('/v1/inventory/adjustments', { sku, delta, reason, ...(location ? { location } : {}) });
  expect(res.status, res.text).to.equal(201);
  return res;
}

export async function placeOrder(
  api: Api,
  customerId: string,
  lines: { sku: string; quantity: number; unitPrice?: number }[],
  extra: object = {},
) {
  const res = await api.post('/v1/orders', {
    customerId,
    currency: 'EUR',
    lines: lines.map((l) => ({ unitPrice: 1000, ...l })),
    shippingAddress: address,
    ...extra,
  });
  expect(res.status, res.text).to.equal(201);
  return res.body as { id: string; status: string; version: number };
}

/** Waits until the order's read model shows one of the statuses. */
export async function orderReaches(api: Api, id: string, statuses: string[], timeoutMs = 20_000) {
  const res = await waitFor(
    () => api.get(`/v1/orders/${id}`),
    (r) => r.status === 200 && statuses.includes(r.body.status),
    { timeoutMs, what: `order ${id} to reach ${statuses.join('|')}` },
  );
  return res.body;
}

export async function level(api: Api, sku: string) {
  const res = await api.get(`/v1/inventory/${sku}`);
  return res.body as {
    onHand: number;
    reserved: number;
    available: number;
    locations: { location: string; onHand: number; reserved: number; available: number }[];
  };
}
