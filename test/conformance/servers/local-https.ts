import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * What the small independent servers of these tests share (cdr-bank.ts, obf-bank.ts,
 * rfc7591-server.ts): the refusal they answer with, a bounded body read, and listening on
 * 127.0.0.1 only. Each server's rules, codes and wording stay its own.
 */

/** A started server: its issuer, its discovery URL, and close (every connection dropped). */
export interface LocalServer {
  issuer: string;
  discoveryUrl: string;
  close(): Promise<void>;
}

/** A refusal: the HTTP status, the OAuth error code, its description and, for a 401, the WWW-Authenticate challenge. */
export class Refusal extends Error {
  constructor(readonly status: number, readonly code: string, description: string, readonly challenge?: string) {
    super(description);
  }
}

/** The body, at most `max` bytes; past it `tooLarge()` is thrown (and the request dropped, with `destroy`). */
export async function readBody(req: IncomingMessage, max: number, tooLarge: () => Error, { destroy = false } = {}): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) {
      if (destroy) req.destroy();
      throw tooLarge();
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Listens on 127.0.0.1 (a free port); the issuer is https://127.0.0.1:<port>. */
export async function listenLocal(server: https.Server): Promise<LocalServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
