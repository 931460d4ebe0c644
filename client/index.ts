// The typed client of the OMS API: openapi-fetch over the types generated from GET /openapi.json
// (client/openapi.ts, `npm run client:generate`). Paths, parameters, bodies, answers and problems
// are all typed:
//
//   const oms = createOmsClient({ baseUrl: 'http://localhost:3000', key });
//   const { data, error } = await oms.GET('/v1/orders/{id}', { params: { path: { id } } });
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './openapi.ts';

export type { components, operations, paths } from './openapi.ts';
export type OmsClient = Client<paths>;

export interface OmsClientOptions {
  /** The service's address, e.g. http://localhost:3000 */
  baseUrl: string;
  /** An API key (oms.<id>.<secret>) or an OAuth access token, sent as a bearer token. */
  key?: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

export function createOmsClient(o: OmsClientOptions): OmsClient {
  return createClient<paths>({
    baseUrl: o.baseUrl,
    headers: o.key ? { Authorization: `Bearer ${o.key}` } : {},
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
}
