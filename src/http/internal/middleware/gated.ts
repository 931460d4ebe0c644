import type { Middleware, ParameterizedContext } from 'koa';
import type { AppState } from '../../state.ts';

/** A middleware that does nothing (calls next) unless `applies` says the request is one of its own. */
export interface Gated {
  applies(ctx: ParameterizedContext<AppState>): boolean;
  middleware: Middleware<AppState>;
}

/**
 * Runs, in order, those of `gated` that apply to the request; the same as app.use() of each, minus a
 * layer (an async frame and its promises) per middleware that would only have called next, which
 * is all of them for most API requests (pages and the console are a few paths, bodies only come with
 * POST, PUT and PATCH).
 */
export function gated(list: readonly Gated[]): Middleware<AppState> {
  return (ctx, next) => {
    const chain = list.filter((g) => g.applies(ctx));
    if (chain.length === 0) return next();
    const run = (i: number): Promise<unknown> =>
      i === chain.length ? next() : chain[i]!.middleware(ctx, () => run(i + 1));
    return run(0);
  };
}
