/**
 * What the bare baselines (bench/bare-register.ts, bench/bare-token.ts) share: an https server
 * asking for a client certificate, a body read within a cap, a JSON answer, listen and close.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BareTls { key: string; cert: string; ca: string[] }

export const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

export const refuse = (res: ServerResponse, status: number, error: string) => answer(res, status, { error, error_description: error }, { 'cache-control': 'no-store' });

/** Calls `onBody` with the body as text, or tears the connection down past 64 KiB. */
export function readBody(req: IncomingMessage, onBody: (body: string) => void): void {
  let size = 0;
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > 65_536) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => onBody(Buffer.concat(chunks).toString('utf8')));
}

export async function listenBare(tls: BareTls, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ port: number; close(): Promise<void> }> {
  const server = https.createServer({ ...tls, requestCert: true, rejectUnauthorized: false }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
