// The console's way to the public API: the project's typed client (client/index.ts, openapi-fetch over
// the types generated from GET /openapi.json), so a page's paths, parameters, bodies and answers are
// checked against the API it talks to, and a regenerated client that drops a field breaks the build.
// The key lives in sessionStorage only (gone when the tab closes) and travels in the Authorization
// header, never in a URL; a middleware reads it at each request, so signing in or out needs no new client.
import type { Client, ClientPathsWithMethod, Middleware, MethodResponse } from 'openapi-fetch';
import { type components, createOmsClient, type OmsClient, type operations } from '../../client/index.ts';

const KEY_ITEM = 'oms.console.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_ITEM),
  signIn: (key: string) => sessionStorage.setItem(KEY_ITEM, key),
  signOut: () => sessionStorage.removeItem(KEY_ITEM),
};

/**
 * An RFC 9457 problem as the API answers it (components['schemas']['Problem']); only title and status
 * are sure to be there: a network error, a proxy's HTML page or a 404 without a body carry no more.
 */
export type Problem = Pick<ApiProblem, 'title' | 'status'> & Partial<Omit<ApiProblem, 'title' | 'status'>>;
type ApiProblem = components['schemas']['Problem'];

export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.title}: ${problem.detail ?? ''}`);
    this.problem = problem;
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    const key = session.key();
    if (key) request.headers.set('Authorization', `Bearer ${key}`);
    if (!request.headers.has('Accept')) request.headers.set('Accept', 'application/json');
    return request;
  },
  // fetch rejects only when no answer came at all (offline, refused, aborted): the same ApiError as an
  // answered failure, so every page shows it in its ProblemBanner.
  onError({ error }) {
    return new ApiError({ title: 'Network error', status: 0, detail: (error as Error).message });
  },
};

/** The one client of the console: the page's own origin (the CSP allows no other: connect-src 'self'). */
export const oms: OmsClient = createOmsClient({ baseUrl: window.location.origin });
oms.use(auth);

/** The problem of a non-2xx answer: the API's problem+json, or what can be said about a body that is not one. */
function problemOf(error: unknown, response: Response): Problem {
  const p = (error && typeof error === 'object' ? error : {}) as Partial<ApiProblem>;
  return {
    ...p,
    title: p.title ?? (response.statusText || 'Error'),
    status: response.status,
    detail: p.detail ?? (typeof error === 'string' && error ? error.slice(0, 300) : undefined),
  };
}

/**
 * The data of a typed call, or an ApiError with the answer's problem:
 *
 *   const order = await ok(oms.GET('/v1/orders/{id}', { params: { path: { id } } }));
 */
export async function ok<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(problemOf(error, response));
  return data as D;
}

/** The JSON answer of `method path` (a path as in the OpenAPI document, `{id}` and all). */
export type Answer<M extends 'get' | 'post', P extends ClientPathsWithMethod<OmsClient, M>> = MethodResponse<
  OmsClient,
  M,
  P
>;
/** One item of a paged list's `data`. */
export type Item<P extends ClientPathsWithMethod<OmsClient, 'get'>> =
  Answer<'get', P> extends { data: (infer T)[] } ? T : never;
/** An operation's query parameters, to narrow a form's strings to (e.g. an enum of statuses). */
export type QueryOf<O extends keyof operations> = NonNullable<operations[O]['parameters']['query']>;
/** An operation's JSON request body. */
export type BodyOf<O extends keyof operations> =
  NonNullable<operations[O]['requestBody']> extends { content: { 'application/json': infer B } } ? B : never;

/** An empty form field filters nothing: the query parameter is left out (the API refuses `?status=`). */
export const given = <T extends string>(s: T | ''): T | undefined => (s === '' ? undefined : s);

// The shapes the console reads, as the generated client types them.
export type Me = Answer<'get', '/v1/me'>;
export type Order = Answer<'get', '/v1/orders/{id}'>;
export type RecordedEvent = Item<'/v1/orders/{id}/events'>;

// ---------------------------------------------------------------------------------------------------
// The two operational endpoints outside the API document (GET /readyz and GET /metrics, which the
// Operations page polls): untyped calls, through the same client and middleware (the key, network
// errors) and the same problem handling. Everything under /v1 goes through typed calls.

// openapi-fetch's untyped view of the same client: any path, the answer as the caller says it is.
// biome-ignore lint/suspicious/noExplicitAny: these two paths are not in the generated types
const loose = oms as unknown as Client<any>;

export const api = {
  get: <T>(path: '/readyz') => ok<T>(loose.GET(path, {})),
  getText: (path: '/metrics') => ok<string>(loose.GET(path, { parseAs: 'text', headers: { Accept: 'text/plain' } })),
};
