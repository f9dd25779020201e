import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { untrustedServerCert } from '../fixtures/untrusted';

/**
 * A host of the pack's own, started for the run when a probe needs it (SSA-JWKS-OTHER-HOST, SSA-JKU):
 * HTTPS serving the documents the pack puts on it (the software JWKS, a key set of its own), and
 * recording every TCP connection and request that reaches it. A bank that keeps to the directory's
 * JWKS never connects; one that fetches whatever URL an SSA names does, and the record shows it.
 *
 * Bounded: GET and HEAD only, no request body, small headers, short timeouts, few connections, a
 * fixed set of small documents, a capped record. Bound to 127.0.0.1 on an ephemeral port unless
 * the target says otherwise (jwksHostBind, jwksHostUrl: for a bank on another machine).
 */
export interface HostHit {
  /** Milliseconds since the epoch. */
  at: number;
  kind: 'connection' | 'request';
  remote?: string;
  method?: string;
  path?: string;
}

export interface JwksHost {
  /** The origin banks are told to fetch from: the configured public URL, else https://<bind address>:<port>. */
  readonly origin: string;
  /** Serves this document at this path (GET only) until the host is closed: JSON, or a string as it is (PEM for x5u); returns its URL. */
  serve(path: string, doc: unknown): string;
  /** What reached the host at or after `since` (milliseconds since the epoch). */
  seen(since: number): HostHit[];
  close(): void;
}

export interface JwksHostOptions {
  /** host:port to listen on (default 127.0.0.1:0, an ephemeral loopback port). */
  bind?: string;
  /** The URL banks reach the host by, when not the bind address (a bank on another machine, a tunnel). */
  publicUrl?: string;
}

/** The host's limits. */
export const HOST_LIMITS = { documents: 16, documentBytes: 16 * 1024, record: 256, connections: 32, headerBytes: 8 * 1024, timeoutMs: 3000 } as const;

/** host:port (IPv6 in brackets); port 0 is ephemeral. */
export function parseBind(bind: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(bind);
  if (!m || Number(m[2]) > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export async function startJwksHost(opts: JwksHostOptions = {}): Promise<JwksHost> {
  const publicUrl = opts.publicUrl ? new URL(opts.publicUrl) : undefined;
  const bind = opts.bind ? parseBind(opts.bind) : { host: '127.0.0.1', port: publicUrl?.port ? Number(publicUrl.port) : 0 };
  if (!bind) throw new Error(`jwksHostBind ${JSON.stringify(opts.bind)} is not host:port`);
  const name = publicUrl?.hostname.replace(/^\[|\]$/g, '') ?? bind.host;
  const { cert, key } = await untrustedServerCert(name);
  const docs = new Map<string, { text: string; type: string }>();
  const record: HostHit[] = [];
  const note = (hit: HostHit) => {
    if (record.length < HOST_LIMITS.record) record.push(hit);
  };
  const server = https.createServer({ cert, key, maxHeaderSize: HOST_LIMITS.headerBytes, handshakeTimeout: HOST_LIMITS.timeoutMs }, (req, res) => {
    note({ at: Date.now(), kind: 'request', remote: req.socket.remoteAddress, method: req.method, path: (req.url ?? '').slice(0, 200) });
    const doc = docs.get(new URL(req.url ?? '/', 'https://host.invalid').pathname);
    const length = Number(req.headers['content-length'] ?? 0);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || length > 0 || req.headers['transfer-encoding']) {
      res.writeHead(405, { allow: 'GET, HEAD', connection: 'close' }).end();
      req.socket.destroySoon();
      return;
    }
    if (!doc) {
      res.writeHead(404, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"not_found"}');
      return;
    }
    res.writeHead(200, { 'content-type': doc.type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(doc.text), connection: 'close' });
    res.end(req.method === 'HEAD' ? undefined : doc.text);
  });
  server.maxConnections = HOST_LIMITS.connections;
  server.headersTimeout = HOST_LIMITS.timeoutMs;
  server.requestTimeout = HOST_LIMITS.timeoutMs;
  server.keepAliveTimeout = 500;
  server.setTimeout(HOST_LIMITS.timeoutMs, (socket) => socket.destroy());
  // 'connection' is the TCP connection: recorded even when the bank then fails the TLS handshake on the untrusted certificate.
  server.on('connection', (socket) => note({ at: Date.now(), kind: 'connection', remote: (socket as Socket).remoteAddress }));
  server.on('tlsClientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const origin = publicUrl ? publicUrl.origin : `https://${bind.host.includes(':') ? `[${bind.host}]` : bind.host}:${port}`;
  let closed = false;
  return {
    origin,
    serve(path, doc) {
      // A string is served as it is (PEM certificates for x5u, RFC 7515 4.1.5); anything else as JSON.
      const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
      const type = typeof doc === 'string' ? 'application/pem-certificate-chain' : 'application/json';
      if (Buffer.byteLength(text) > HOST_LIMITS.documentBytes) throw new Error(`a document of the pack's host is limited to ${HOST_LIMITS.documentBytes} bytes`);
      if (!docs.has(path) && docs.size >= HOST_LIMITS.documents) throw new Error(`the pack's host serves ${HOST_LIMITS.documents} documents at most`);
      docs.set(path, { text, type });
      return `${origin}${path}`;
    },
    seen: (since) => record.filter((h) => h.at >= since),
    close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      server.close();
    },
  };
}
