import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** GET (or HEAD) /health or /healthz: the liveness and readiness probe. */
export function isHealthCheck(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '').split('?')[0];
  return path === '/health' || path === '/healthz';
}

/** 200 {"status":"ok"}: no client certificate needed, not journaled, answered even while the app starts. */
export function health(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"status":"ok"}');
}

/**
 * The server's request handler from the first connection on, before the app exists: the app is
 * built once the port is known (it names its own URLs), so a request that arrives earlier is held
 * and handed to it when it is `ready`, never left unanswered; /health answers at once. When the
 * app cannot be built (`failed`), the held requests get 503.
 */
export function startupGate(): { handler: Handler; ready(app: Handler): void; failed(e: Error): void } {
  let app: Handler | undefined;
  let held: Array<[IncomingMessage, ServerResponse]> = [];
  let failure: Error | undefined;
  const unavailable = (res: ServerResponse) => {
    if (!res.headersSent) {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"temporarily_unavailable","error_description":"the mock bank failed to start"}');
    }
  };
  return {
    handler(req, res) {
      if (app) return app(req, res);
      if (isHealthCheck(req)) return health(res);
      if (failure) return unavailable(res);
      held.push([req, res]);
    },
    ready(a) {
      app = a;
      const waiting = held;
      held = [];
      for (const [req, res] of waiting) a(req, res);
    },
    failed(e) {
      failure = e;
      const waiting = held;
      held = [];
      for (const [, res] of waiting) unavailable(res);
    },
  };
}
