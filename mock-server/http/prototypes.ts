import http from 'node:http';
import express, { type Express } from 'express';

/**
 * IncomingMessage and ServerResponse classes for the mock's HTTPS server, so that every request
 * and response is built, from the start, on the prototypes Express gives them.
 *
 * Express re-parents each req and res on every request (Object.setPrototypeOf in app.handle)
 * onto prototypes it built with Object.create and Object.defineProperty. V8 keeps those in
 * dictionary mode and serves objects that inherit from them on slow paths, in Node's own HTTP
 * and stream code as much as in ours: measured with `npm run bench`, 10-20% of the mock's
 * registration throughput went there. Here the same properties (express.request and
 * express.response, then the app's own layer) are copied onto ordinary subclass prototypes,
 * which V8 keeps fast; the app is pointed at them, so Express's setPrototypeOf finds the
 * prototype already in place and changes nothing. Express itself is unchanged and handles the
 * request as before.
 *
 * Create the classes, pass them to https.createServer, then `bind(app)` before the server
 * takes requests.
 */
export interface ExpressHttpClasses {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse<http.IncomingMessage>;
  bind(app: Express): void;
}

// The return type is spelled out: inferred, it names types of node:events that a declaration file cannot name.
export function expressHttpClasses(): ExpressHttpClasses {
  class Request extends http.IncomingMessage {}
  class Response extends http.ServerResponse {}
  const copy = (target: object, ...sources: object[]) => {
    for (const source of sources) Object.defineProperties(target, Object.getOwnPropertyDescriptors(source));
  };
  return {
    IncomingMessage: Request,
    ServerResponse: Response,
    bind(app: Express): void {
      copy(Request.prototype, express.request, app.request);
      copy(Response.prototype, express.response, app.response);
      app.request = Request.prototype as unknown as Express['request'];
      app.response = Response.prototype as unknown as Express['response'];
    },
  };
}
