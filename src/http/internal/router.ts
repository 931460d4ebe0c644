import Router from '@koa/router';
import type { Middleware } from 'koa';
import type pg from 'pg';
import { hasScope } from '../../auth/principal.ts';
import type { Authenticator } from '../../auth/authenticator.ts';
import type { TenantSettings } from '../../tenants/tenant-settings.ts';
import { addressRateLimit, limitFailedAuthentication } from './middleware/address-limit.ts';
import { authenticate } from './middleware/auth.ts';
import { idempotency } from './middleware/idempotency.ts';
import { minPosition } from './middleware/position.ts';
import { ReadModelPosition } from './read-model-position.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import { HttpProblem, validationFailed } from '../problem.ts';
import type { RouteDef } from '../route.ts';
import type { AppState } from '../state.ts';
import { bodyAjv, nonFiniteErrors, unstorableTextErrors, paramAjv, toFieldErrors } from './validation.ts';

export interface RouterDeps {
  pool: pg.Pool;
  authenticator: Authenticator;
  tenantSettings: TenantSettings;
  projectionNames: () => readonly string[];
  /** null: no rate limiting */
  rateLimiter: RateLimiter | null;
  /** Requests per second per credential and, without a valid credential, per client address (0: off). Default: the limiter's rate per credential, none per address. */
  rateLimits?: { perCredential: number; perAddress: number };
  /** The event store records Idempotency-Keys in its appends (EventStore.idempotencyRecords). */
  idempotencyRecordsInAppend?: boolean;
}

/** Mounts each route with the middleware its definition asks for, in a fixed order. */
export function buildRouter(routes: readonly RouteDef[], deps: RouterDeps): Router<AppState> {
  const router = new Router<AppState>();
  const limiter = deps.rateLimiter;
  const { perCredential, perAddress } = deps.rateLimits ?? { perCredential: limiter?.perSecond ?? 0, perAddress: 0 };
  const auth =
    limiter && perAddress > 0
      ? limitFailedAuthentication(limiter, perAddress, authenticate(deps.authenticator))
      : authenticate(deps.authenticator);
  const byAddress = limiter && perAddress > 0 ? addressRateLimit(limiter, perAddress) : null;
  const idem = idempotency(deps.pool);
  const idemInAppend = deps.idempotencyRecordsInAppend ? idempotency(deps.pool, { inAppend: true }) : idem;
  const readModels = new ReadModelPosition(deps.pool, deps.projectionNames);
  const position = minPosition(readModels, 'wait');
  const positionOrFold = minPosition(readModels, 'fold');
  const limit = limiter && perCredential > 0 ? rateLimit(limiter, deps.tenantSettings) : null;

  for (const route of routes) {
    const chain: Middleware<AppState>[] = [
      async (ctx, next) => {
        ctx.state.routeName = route.path;
        return next();
      },
    ];
    if (route.scope) {
      const scope = route.scope;
      chain.push(auth);
      if (limit) chain.push(limit);
      chain.push(async (ctx, next) => {
        if (scope !== 'authenticated' && !hasScope(ctx.state.principal!, scope)) {
          throw new HttpProblem(403, 'insufficient_scope', `this operation needs the ${scope} scope`, {
            requiredScope: scope,
          });
        }
        return next();
      });
    } else if (byAddress) {
      chain.push(byAddress);
    }
    const validateParams = route.params ? paramAjv.compile(route.params) : null;
    const validateQuery = paramAjv.compile(route.query ?? { type: 'object', additionalProperties: false });
    const validateBody = route.body ? bodyAjv.compile(route.body) : null;
    chain.push(async (ctx, next) => {
      const params = { ...ctx.params };
      if (validateParams && !validateParams(params)) {
        // A malformed id can never name an existing resource: 404 for the resource it was meant to name.
        throw new HttpProblem(
          404,
          `${malformedNoun(validateParams.errors, route.params)}_not_found`,
          `no resource at ${ctx.path}`,
        );
      }
      const query: Record<string, unknown> = { ...ctx.query };
      if (!validateQuery(query))
        throw validationFailed(
          toFieldErrors(validateQuery.errors, 'query:', validateQuery.schema),
          'invalid query parameters',
        );
      const infinite = [...nonFiniteErrors(query, 'query:'), ...unstorableTextErrors(query, 'query:')];
      if (infinite.length > 0) throw validationFailed(infinite, 'invalid query parameters');
      if (validateBody) {
        if (ctx.state.body === undefined) throw validationFailed([{ path: '', message: 'a JSON body is required' }]);
        if (!validateBody(ctx.state.body))
          throw validationFailed(toFieldErrors(validateBody.errors, '', validateBody.schema));
      } else if (!route.formBody && ctx.state.body !== undefined && route.method !== 'GET') {
        throw validationFailed([{ path: '', message: 'this operation takes no body' }]);
      }
      (ctx.state as { params?: unknown; query?: unknown }).params = params;
      (ctx.state as { params?: unknown; query?: unknown }).query = query;
      return next();
    });
    if (route.method === 'POST' && route.scope) chain.push(route.idempotencyInAppend ? idemInAppend : idem);
    if (route.method === 'GET' && route.scope) chain.push(route.minPosition === 'fold' ? positionOrFold : position);
    chain.push(async (ctx) => {
      const st = ctx.state as unknown as { params: Record<string, string>; query: Record<string, unknown> };
      await route.handler({ ctx, body: ctx.state.body, query: st.query, params: st.params });
    });
    router.register(route.path, [route.method], chain as never);
  }
  return router;
}

const PREFIX_NOUN: Record<string, string> = {
  cus: 'customer',
  ord: 'order',
  shp: 'shipment',
  whk: 'webhook_endpoint',
  dlv: 'webhook_delivery',
  hld: 'hold',
};
const PARAM_NOUN: Record<string, string> = {
  deliveryId: 'webhook_delivery',
  sku: 'sku',
  location: 'location',
  trackingNumber: 'shipment',
  jobId: 'job',
};

/** The noun of the first path parameter that failed: by its id prefix (`ord_…` → order) or its name. */
function malformedNoun(errors: { instancePath: string }[] | null | undefined, schema: unknown): string {
  const param = errors?.[0]?.instancePath.replace(/^\//, '') ?? '';
  const pattern = (schema as { properties?: Record<string, { pattern?: string }> }).properties?.[param]?.pattern;
  const prefix = /^\^([a-z]+)_/.exec(pattern ?? '')?.[1];
  return (prefix && PREFIX_NOUN[prefix]) ?? PARAM_NOUN[param] ?? 'resource';
}
