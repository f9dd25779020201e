/** The HTTPS layer: parse, call the core, answer JSON. Nothing below it sees a request object. */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { BankError } from './errors';
import { certificateSubject } from './dn';
import { SecondBankCore, thumbprintOf, type PresentedCert, type Reply } from './bank';
import { Network } from './network';
import type { SecondBankOptions } from './types';

const BODY_CAP = 256 * 1024;

function presentedCert(req: IncomingMessage): PresentedCert | undefined {
  const socket = req.socket as TLSSocket;
  const x509 = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
  if (!x509) return undefined;
  let subject: PresentedCert['subject'] = [];
  try {
    subject = certificateSubject(x509.raw);
  } catch {
    subject = [];
  }
  return { trusted: socket.authorized === true, subject, thumbprint: thumbprintOf(x509.raw) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_CAP) {
        reject(new BankError(413, 'invalid_request', 'the request body is too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.json === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.json);
  headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers);
  res.end(text);
}

function errorReply(e: unknown): Reply {
  if (e instanceof BankError) {
    return { status: e.status, headers: { ...e.headers, 'cache-control': 'no-store' }, json: { error: e.error, error_description: e.description } };
  }
  return { status: 500, json: { error: 'server_error', error_description: 'the bank could not process the request' } };
}

const notAllowed = (allow: string) => new BankError(405, 'invalid_request', 'method not allowed', { allow });

async function route(core: SecondBankCore, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'https://bank.invalid');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  const cert = presentedCert(req);
  const ctype = req.headers['content-type'];
  if (path === '/.well-known/openid-configuration') {
    if (method !== 'GET') throw notAllowed('GET');
    return core.discovery();
  }
  if (path === '/register') {
    if (method !== 'POST') throw notAllowed('POST');
    return core.register(body, ctype, cert);
  }
  if (path === '/token') {
    if (method !== 'POST') throw notAllowed('POST');
    return core.token(new URLSearchParams(body), ctype, req.headers.authorization, cert);
  }
  const m = /^\/register\/([^/]+)$/.exec(path);
  if (m) {
    if (method !== 'GET' && method !== 'PUT' && method !== 'DELETE') throw notAllowed('GET, PUT, DELETE');
    let id: string;
    try {
      id = decodeURIComponent(m[1]!);
    } catch {
      id = m[1]!;
    }
    return core.manage(method, id, req.headers.authorization, cert, body, ctype);
  }
  throw new BankError(404, 'invalid_request', 'no such endpoint');
}

export async function listen(opts: SecondBankOptions): Promise<{ url: string; close(): Promise<void> }> {
  const bugs = new Set(opts.bugs ?? []);
  let core: SecondBankCore | undefined;
  const server = https.createServer(
    { cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      if (!core) {
        send(res, errorReply(new BankError(503, 'temporarily_unavailable', 'starting')));
        return;
      }
      route(core, req).then(
        (reply) => send(res, reply),
        (e: unknown) => send(res, errorReply(e)),
      );
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  core = new SecondBankCore({
    issuer: url,
    directory: opts.directory,
    bugs,
    network: new Network({ keystoreHost: opts.directory.keystoreHost, softwareJwks: opts.softwareJwks, ca: opts.tls.ca }),
    now: () => Math.floor(Date.now() / 1000),
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
