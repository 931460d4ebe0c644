import type { RawRequest } from 'autocannon';
import { load, type LoadResult } from './load.ts';

/** A small JSON client for the setup calls (not measured). */
export class Api {
  readonly baseUrl: string;
  readonly key: string;

  constructor(baseUrl: string, key: string) {
    this.baseUrl = baseUrl;
    this.key = key;
  }

  get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' };
  }

  async post<T = Record<string, unknown>>(
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: T; position: string | null }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: this.headers,
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : null) as T;
    if (res.status >= 300) throw new Error(`POST ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, body: parsed, position: res.headers.get('oms-position') };
  }

  async get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: this.headers });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`GET ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async createCustomer(tag: string): Promise<string> {
    const r = await this.post<{ id: string }>('/v1/customers', {
      email: `${tag}@bench.example.com`,
      name: `Bench ${tag}`,
    });
    return r.body.id;
  }

  async receiveStock(sku: string, delta: number): Promise<void> {
    await this.post('/v1/inventory/adjustments', { sku, delta, reason: 'received', reference: 'bench' });
  }
}

export const SHIPPING_ADDRESS = { line1: '1 Main St', city: 'Berlin', country: 'DE' } as const;

export function orderBody(customerId: string, sku: string): string {
  return JSON.stringify({
    customerId,
    currency: 'EUR',
    lines: [{ sku, quantity: 1, unitPrice: 1000 }],
    shippingAddress: SHIPPING_ADDRESS,
  });
}

/** POST /v1/customers with a unique email per request. */
export function createCustomersLoad(
  api: Api,
  opts: { connections: number; seconds: number; overallRate?: number; runTag: string },
): Promise<LoadResult> {
  let n = 0;
  return load({
    url: api.baseUrl,
    connections: opts.connections,
    duration: opts.seconds,
    overallRate: opts.overallRate,
    headers: api.headers,
    title: 'create-customer',
    requests: [
      {
        method: 'POST',
        path: '/v1/customers',
        setupRequest(req: RawRequest) {
          const i = n++;
          req.body = JSON.stringify({
            email: `c-${opts.runTag}-${i}@bench.example.com`,
            name: `Customer ${i}`,
            phone: '+49 30 1234567',
          });
          return req;
        },
      },
    ],
  });
}

/** POST /v1/orders, round-robin over `skus`; the ids of created orders are pushed to `ids`. */
export function createOrdersLoad(
  api: Api,
  opts: {
    connections: number;
    seconds: number;
    customerId: string;
    skus: readonly string[];
    ids: string[];
    title: string;
    /** Requests per second over all connections (default: as fast as they go). */
    overallRate?: number;
  },
): Promise<LoadResult> {
  let n = 0;
  return load({
    url: api.baseUrl,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    headers: api.headers,
    title: opts.title,
    requests: [
      {
        method: 'POST',
        path: '/v1/orders',
        setupRequest(req: RawRequest) {
          req.body = orderBody(opts.customerId, opts.skus[n++ % opts.skus.length]!);
          return req;
        },
        onResponse(status: number, body: string) {
          if (status !== 201) return;
          const m = /"id":"(ord_[0-9a-z]+)"/.exec(body);
          if (m) opts.ids.push(m[1]!);
        },
      },
    ],
  });
}

/** GET over a fixed list of paths, round-robin. */
export function getLoad(
  api: Api,
  opts: { connections: number; seconds: number; paths: readonly string[]; title: string },
): Promise<LoadResult> {
  let n = 0;
  return load({
    url: api.baseUrl,
    connections: opts.connections,
    duration: opts.seconds,
    headers: { authorization: `Bearer ${api.key}` },
    title: opts.title,
    requests: [
      {
        method: 'GET',
        setupRequest(req: RawRequest) {
          req.path = opts.paths[n++ % opts.paths.length]!;
          return req;
        },
      },
    ],
  });
}
