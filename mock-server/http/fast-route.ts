import type { RequestHandler } from 'express';

/**
 * One route answered without going through Express's router: for a request whose method and raw
 * URL are exactly `method` and `url` (no query string, no other spelling), the handlers run in
 * order as the route's own stack would run them, and anything else goes on to the router
 * unchanged. On the hot path of POST {register}, matching every layer of the app's routers (each
 * mounted router slicing the URL, each layer its own closures) allocated about 12 KB per request
 * (npm run bench:profile, BENCH_PROFILE_HEAP=1).
 *
 * The same handlers are mounted on the router too, so a request the fast route leaves alone
 * (/register/ or /REGISTER, which Express's non-strict, case-insensitive matching routes there,
 * or one with a query string) meets exactly the same code. As in Express 5, a handler that
 * throws or whose promise rejects passes its error on; `next(err)` from here reaches the app's
 * error handlers as from the route (no router between holds an error handler).
 * Only for a route no earlier layer of the app could answer: the caller checks that.
 * The last handler must answer: were the list to run out, `next()` would reach the router, which
 * would run the same handlers a second time; that is passed on as an error instead.
 */
export function fastRoute(method: string, url: string, handlers: readonly RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    if (req.method !== method || req.url !== url) return next();
    let i = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== null) return next(err);
      const handler = handlers[i++];
      if (!handler) return next(new Error(`the fast route ${method} ${url} ran out of handlers without answering`));
      try {
        const out = handler(req, res, step) as unknown;
        if (out instanceof Promise) out.then(undefined, (e: unknown) => step(e ?? new Error('Rejected promise')));
      } catch (e) {
        step(e ?? new Error('handler threw'));
      }
    };
    step();
  };
}
