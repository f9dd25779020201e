import https from 'node:https';
import { randomUUID, X509Certificate } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { decodePayload, signJws } from '../../fixtures/registration';
import { signingKey } from '../../fixtures/keys';
import { httpsRequest } from '../../fixtures/https';
import { AgentPool } from '../../conformance/agents';
import { runPack } from '../../conformance/runner';
import { openSession, type SentRequest } from '../../conformance/session';
import type { Target } from '../../conformance/target';

/**
 * Keep-alive connections, one agent per credential set: TLS client authentication happens once per
 * connection, so every request must arrive with exactly the certificate it was sent with (or
 * none), never riding a connection opened with another one. A server that records
 * req.socket.getPeerCertificate() per request is the witness.
 */
let certs: CertBundle;
let server: https.Server;
let base: string;
interface Seen {
  method: string;
  url: string;
  /** SHA-256 fingerprint of the client certificate this request's connection presented; '' for none. */
  peer: string;
  socket: number;
}
const seen: Seen[] = [];
const sockets = new WeakMap<Socket, number>();
let connections = 0;
let hang = (_url: string) => false;
/** Resets the connection instead of answering (the request on a connection, counted from 1). */
let resetOn = (_nth: number) => false;
const perSocket = new WeakMap<Socket, number>();
/** DELETEs answered after this many ms; how many were in flight at once at most. */
let deleteDelayMs = 0;
let deletesInFlight = 0;
let mostDeletes = 0;

beforeAll(async () => {
  certs = await generateBundle();
  // Accepts every registration (a client per POST), issues tokens, answers GET/PUT/DELETE: every step is sent.
  const clients = new Map<string, Record<string, unknown>>();
  server = https.createServer({ key: certs.server.key, cert: certs.server.cert, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    if (!sockets.has(socket)) sockets.set(socket, ++connections);
    const peer = socket.getPeerCertificate();
    seen.push({ method: req.method ?? '', url: req.url ?? '', peer: peer && 'fingerprint256' in peer && peer.fingerprint256 ? peer.fingerprint256 : '', socket: sockets.get(socket)! });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const nth = (perSocket.get(socket) ?? 0) + 1;
    perSocket.set(socket, nth);
    req.on('end', () => {
      if (hang(req.url ?? '')) return;
      if (resetOn(nth)) return void socket.destroy();
      const body = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, b: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
      if (req.url === '/.well-known/openid-configuration') {
        return json(200, { issuer: base, registration_endpoint: `${base}/register`, token_endpoint: `${base}/token`, token_endpoint_auth_methods_supported: ['tls_client_auth'] });
      }
      if (req.method === 'POST' && req.url === '/register') {
        let claims: Record<string, unknown> = {};
        try {
          claims = decodePayload(body);
        } catch {
          return json(400, { error: 'invalid_client_metadata' });
        }
        const client: Record<string, unknown> = { ...claims, client_id: randomUUID() };
        delete client.software_statement;
        clients.set(client.client_id as string, client);
        return json(201, client);
      }
      if (req.url === '/token') return json(200, { access_token: randomUUID(), token_type: 'Bearer', expires_in: 300 });
      if (req.method === 'DELETE') {
        mostDeletes = Math.max(mostDeletes, ++deletesInFlight);
        return void setTimeout(() => {
          deletesInFlight--;
          res.writeHead(204).end();
        }, deleteDelayMs);
      }
      const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      json(200, clients.get(id) ?? { client_id: id });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  deleteDelayMs = 0;
  mostDeletes = 0;
  hang = () => false;
  resetOn = () => false;
});

const fingerprint = (pem?: string) => (pem ? new X509Certificate(pem).fingerprint256 : '');

async function target(patch: Partial<Target> = {}): Promise<Target> {
  const directory = await signingKey('PS256');
  const now = Math.floor(Date.now() / 1000);
  const ssa = await signJws({ iss: 'Test Directory', iat: now, exp: now + 3600, jti: randomUUID(), software_id: certs.tpp.software_id, org_id: certs.tpp.org_id, software_redirect_uris: ['https://tpp.example.com/callback'], software_roles: ['AISP'] }, directory);
  return {
    discoveryUrl: `${base}/.well-known/openid-configuration`,
    specVersion: '3.3',
    transport: { cert: certs.tpp.cert, key: certs.tpp.key },
    altTransport: { cert: certs.altTpp!.cert, key: certs.altTpp!.key },
    ca: certs.ca.cert,
    insecure: false,
    softwareId: certs.tpp.software_id,
    orgId: certs.tpp.org_id,
    redirectUris: ['https://tpp.example.com/callback'],
    roles: ['AISP'],
    subjectDn: certs.tpp.dn,
    directory: { mode: 'given', ssa },
    capabilities: { management: true, operations: ['GET', 'PUT', 'DELETE'], authMethods: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic'], contentType: 'application/jose' },
    timeoutMs: 5000,
    ...patch,
  };
}

test('every request of a whole pack run arrives with exactly the client certificate it was sent with, or none', async () => {
  const sent: SentRequest[] = [];
  // One plan after another, so that the server sees the requests in the order they were sent.
  const run = await runPack(await target(), { concurrency: 1, onRequest: (r) => sent.push(r) });
  expect(run.results.length).toBeGreaterThan(100);
  expect(seen.length).toBe(sent.length);
  const mismatches = sent
    .map((r, i) => ({ name: r.name, sent: fingerprint(r.client?.cert), arrived: seen[i]!.peer, at: `${seen[i]!.method} ${seen[i]!.url}` }))
    .filter((m) => m.sent !== m.arrived);
  expect(mismatches).toEqual([]);
  // The probes this is about were sent, without a certificate and with an untrusted one.
  const trusted = fingerprint(certs.tpp.cert);
  const names = (pred: (r: SentRequest, i: number) => boolean) => sent.filter(pred).map((r) => r.name);
  expect(names((r, i) => seen[i]!.peer === '' && r.method !== 'GET')).toEqual(expect.arrayContaining(['register-no-cert', 'token-tls-no-cert']));
  expect(names((_r, i) => seen[i]!.peer === '' && sent[i]!.method === 'GET')).toEqual(expect.arrayContaining(['discovery', 'mgmt-get-no-cert']));
  const untrusted = names((r, i) => seen[i]!.peer !== '' && seen[i]!.peer !== trusted && r.client?.cert !== certs.altTpp!.cert);
  expect(untrusted.sort()).toEqual(['register-untrusted-cert', 'token-tls-untrusted-cert']);
  // Keep-alive: the trusted requests share far fewer connections than there are requests.
  const trustedSockets = new Set(seen.filter((s) => s.peer === trusted).map((s) => s.socket));
  expect(seen.filter((s) => s.peer === trusted).length).toBeGreaterThan(50);
  expect(trustedSockets.size).toBeLessThan(5);
}, 60_000);

test('a probe without a certificate sent right after trusted requests does not reuse their connection', async () => {
  const session = await openSession(await target());
  try {
    const jwt = await session.sign(session.claims());
    await session.post('trusted-1', jwt);
    await session.post('no-cert', jwt, { client: null });
    await session.post('other-cert', jwt, { client: session.target.altTransport! });
    await session.post('trusted-2', jwt);
    const posts = seen.filter((s) => s.method === 'POST');
    expect(posts.map((s) => s.peer)).toEqual([fingerprint(certs.tpp.cert), '', fingerprint(certs.altTpp!.cert), fingerprint(certs.tpp.cert)]);
    // The second trusted request reused the first one's connection; the others each had their own.
    expect(posts[3]!.socket).toBe(posts[0]!.socket);
    expect(new Set(posts.map((s) => s.socket)).size).toBe(3);
  } finally {
    session.close();
  }
}, 30_000);

test("a plan's cleanup deletes its clients side by side, at most `concurrency` at a time, and returns them in the order they were created", async () => {
  const session = await openSession(await target());
  try {
    deleteDelayMs = 40;
    for (const limit of [3, 1]) {
      const view = session.forPlan('cleanup-test');
      const jwt = await view.sign(view.claims());
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(view.registered(await view.post(`register-${i}`, jwt)).clientId);
      mostDeletes = 0;
      expect(await view.cleanup(limit)).toEqual(ids);
      expect(mostDeletes).toBe(limit);
      // Nothing is left to delete.
      expect(await view.cleanup(limit)).toEqual([]);
    }
  } finally {
    session.close();
  }
}, 30_000);

test('keep-alive keeps the deadline: a timed-out connection is destroyed, never reused, and the next exchange gets a new one', async () => {
  const pool = new AgentPool();
  const opts = { ca: certs.ca.cert, client: { cert: certs.tpp.cert, key: certs.tpp.key } };
  const agent = pool.for(opts)!;
  try {
    await httpsRequest(`${base}/ok-1`, { ...opts, agent });
    hang = (url) => url === '/hang';
    const started = Date.now();
    await expect(httpsRequest(`${base}/hang`, { ...opts, agent, timeoutMs: 300 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
    const r = await httpsRequest(`${base}/ok-2`, { ...opts, agent, timeoutMs: 2000 });
    expect(r.status).toBe(200);
    const [ok1, hung, ok2] = seen;
    expect(hung!.socket).toBe(ok1!.socket);
    expect(ok2!.socket).not.toBe(hung!.socket);
  } finally {
    pool.destroy();
  }
}, 30_000);

test('three consecutive timeouts on keep-alive connections still end the run: the bank stopped answering', async () => {
  hang = (url) => url !== '/.well-known/openid-configuration';
  const started = Date.now();
  const run = await runPack(await target({ timeoutMs: 400 }));
  expect(run.aborted).toMatch(/stopped answering/);
  expect(run.results.filter((r) => r.plan !== 'discovery' && r.outcome === 'pass')).toEqual([]);
  expect(Date.now() - started).toBeLessThan(15_000);
}, 30_000);

test('a reused connection the server reset before answering is retried once on a new one, body and all', async () => {
  const pool = new AgentPool();
  const opts = { ca: certs.ca.cert, client: { cert: certs.tpp.cert, key: certs.tpp.key } };
  const agent = pool.for(opts)!;
  try {
    expect((await httpsRequest(`${base}/first`, { ...opts, agent })).status).toBe(200);
    resetOn = (nth) => nth === 2;
    const r = await httpsRequest(`${base}/register`, { ...opts, agent, method: 'POST', headers: { 'content-type': 'application/jose' }, body: 'not-a-jwt' });
    expect(r.status).toBe(400);
    expect(seen.map((x) => `${x.method} ${x.url}`)).toEqual(['GET /first', 'POST /register', 'POST /register']);
    expect(seen[2]!.socket).not.toBe(seen[1]!.socket);
    // A connection reset on its first request is a real failure, not retried.
    resetOn = (nth) => nth === 1;
    await expect(httpsRequest(`${base}/again`, { ...opts, agent: pool.for({ ca: certs.ca.cert })!, ca: certs.ca.cert })).rejects.toMatchObject({ code: 'ECONNRESET' });
  } finally {
    pool.destroy();
  }
}, 30_000);

test('the run ends its connections: none of the pack\'s is left open at the bank', async () => {
  await runPack(await target());
  await new Promise((r) => setTimeout(r, 100));
  expect(await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)))).toBe(0);
}, 60_000);

test('a client certificate OpenSSL cannot load is a rejected exchange, with or without an agent, and its deadline fires on nothing', async () => {
  const pool = new AgentPool();
  const bad = { ca: certs.ca.cert, client: { cert: 'not a certificate', key: 'not a key' } };
  try {
    await expect(httpsRequest(`${base}/x`, { ...bad, timeoutMs: 200 })).rejects.toThrow();
    await expect(httpsRequest(`${base}/x`, { ...bad, agent: pool.for(bad)!, timeoutMs: 200 })).rejects.toThrow();
    // The deadline passing afterwards must not throw (an uncaught error would fail this test file).
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    pool.destroy();
  }
});

test("a credential set's TLS context is parsed once: every connection of its agent uses the same one, and another set has its own", async () => {
  const pool = new AgentPool();
  const trusted = { ca: certs.ca.cert, client: { cert: certs.tpp.cert, key: certs.tpp.key } };
  const bare = { ca: certs.ca.cert };
  /** The TLS context of the connection a request went out on (Node keeps the options a TLSSocket was made with). */
  const contextOf = (opts: typeof bare & { client?: { cert: string; key: string } }) =>
    new Promise<unknown>((resolve, reject) => {
      const req = https.request(`${base}/ctx`, { ca: opts.ca, ...(opts.client ? { cert: opts.client.cert, key: opts.client.key } : {}), agent: pool.for(opts)! }, (res) => {
        res.resume();
        res.on('end', () => resolve((req.socket as unknown as { _tlsOptions?: { secureContext?: unknown } })._tlsOptions?.secureContext));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    // Side by side: two connections of the trusted set's agent.
    const [a, b2] = await Promise.all([contextOf(trusted), contextOf(trusted)]);
    const c = await contextOf(bare);
    expect(a).toBeDefined();
    expect(b2).toBe(a);
    expect(c).toBeDefined();
    expect(c).not.toBe(a);
    const ctx = seen.filter((s) => s.url === '/ctx');
    expect(new Set(ctx.slice(0, 2).map((s) => s.socket)).size).toBe(2);
    expect(ctx.map((s) => s.peer)).toEqual([fingerprint(certs.tpp.cert), fingerprint(certs.tpp.cert), '']);
  } finally {
    pool.destroy();
  }
});
