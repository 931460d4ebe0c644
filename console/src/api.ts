// A small typed wrapper over fetch for the public API. The key lives in sessionStorage only (gone
// when the tab closes) and travels in the Authorization header, never in a URL.

const KEY_ITEM = 'oms.console.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_ITEM),
  signIn: (key: string) => sessionStorage.setItem(KEY_ITEM, key),
  signOut: () => sessionStorage.removeItem(KEY_ITEM),
};

/** An RFC 9457 problem as the API answers it. */
export interface Problem {
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.title}: ${problem.detail ?? ''}`);
    this.problem = problem;
  }
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function url(path: string, query?: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function call<T>(method: string, path: string, opts: { query?: Query; body?: unknown; ifMatch?: number } = {}) {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = session.key();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch (err) {
    throw new ApiError({ title: 'Network error', status: 0, detail: (err as Error).message });
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const p = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
    throw new ApiError({
      ...p,
      title: p.title ?? res.statusText ?? 'Error',
      status: res.status,
      detail: p.detail ?? (typeof body === 'string' ? body.slice(0, 300) : undefined),
    });
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => call<T>('GET', path, { query }),
  post: <T>(path: string, body: unknown, ifMatch?: number) => call<T>('POST', path, { body, ifMatch }),
  getText: async (path: string): Promise<string> => {
    const res = await fetch(path);
    if (!res.ok) throw new ApiError({ title: res.statusText, status: res.status });
    return res.text();
  },
};

// The shapes the console reads (see docs/api.md).

export interface Me {
  tenant: string;
  credential: { kind: string; id: string };
  scopes: string[];
  effectiveScopes: string[];
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: number;
  lineTotal: number;
  reserved: number;
  shipped: number;
}

export interface Order {
  id: string;
  status: string;
  customerId: string;
  currency: string;
  externalId: string | null;
  notes: string | null;
  lines: OrderLine[];
  totals: { subtotal: number; total: number; quantity: number };
  shippingAddress: Record<string, string | undefined>;
  allowedActions: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface RecordedEvent {
  id: string;
  type: string;
  stream: { category: string; id: string };
  revision: number;
  position: string;
  occurredAt: string;
  data: Record<string, unknown>;
  metadata: { actor: string; correlationId: string; causationId: string | null; idempotencyKey?: string };
}

export interface OrderDiff {
  from: number;
  to: number;
  changes: { path: string; from: unknown; to: unknown }[];
  events: RecordedEvent[];
}

export interface Shipment {
  id: string;
  orderId: string;
  status: string;
  lines: { sku: string; quantity: number }[];
  carrier: string;
  trackingNumber: string | null;
  service: string | null;
  location: string;
  events: {
    status: string;
    occurredAt: string;
    location: string | null;
    description: string | null;
    carrierCode: string | null;
  }[];
  version: number;
  createdAt: string;
}

export interface Level {
  sku: string;
  location: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
}

export interface Movement {
  id: string;
  type: string;
  sku: string;
  location: string;
  onHandDelta: number;
  reservedDelta: number;
  onHand: number;
  reserved: number;
  reason: string;
  orderId: string | null;
  shipmentId: string | null;
  reference: string | null;
  occurredAt: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  createdAt: string;
  deletedAt?: string | null;
}

export interface Delivery {
  id: string;
  eventId: string;
  type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: { attempt: number; statusCode: number | null; latencyMs: number; error: string | null; at: string }[];
  createdAt: string;
  updatedAt: string;
}
