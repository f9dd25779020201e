import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { signingKey } from '../../fixtures/keys';
import { signJws, decodePayload } from '../../fixtures/registration';
import { runPack, type PackRun } from '../../conformance/runner';
import { checkById } from '../../conformance/rules';
import type { Target } from '../../conformance/target';
import type { Report } from '../../conformance/report/model';

/**
 * The pack against small deliberately wrong servers written here, not the mock: one that refuses
 * everything, one that accepts everything, one that hangs after discovery, one that answers HTML
 * 500s, and one that wants RFC 7591 JSON and no client certificate. No false pass, the root cause
 * named, the time bounded.
 */
type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let certs: CertBundle;
const servers: https.Server[] = [];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** An HTTPS server on 127.0.0.1 with optional client certificates; discovery is answered unless the handler takes it. */
async function serve(handler: Handler, opts: { discovery?: Handler } = {}): Promise<string> {
  const server = https.createServer({ key: certs.server.key, cert: certs.server.cert, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/.well-known/openid-configuration') {
        if (opts.discovery) return opts.discovery(req, body, res);
        return json(res, 200, {
          issuer: base,
          registration_endpoint: `${base}/register`,
          token_endpoint: `${base}/token`,
          token_endpoint_auth_methods_supported: ['tls_client_auth'],
          tls_client_certificate_bound_access_tokens: true,
        });
      }
      handler(req, body, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `https://localhost:${(server.address() as AddressInfo).port}`;
  return base;
}

async function target(base: string, patch: Partial<Target> = {}): Promise<Target> {
  const key = await signingKey('PS256');
  const directory = await signingKey('PS256');
  const now = Math.floor(Date.now() / 1000);
  const ssa = await signJws({ iss: 'Test Directory', iat: now, exp: now + 3600, jti: randomUUID(), software_id: certs.tpp.software_id, org_id: certs.tpp.org_id, software_redirect_uris: ['https://tpp.example.com/callback'], software_roles: ['AISP'], software_jwks_endpoint: 'https://directory.example.com/jwks' }, directory);
  return {
    discoveryUrl: `${base}/.well-known/openid-configuration`,
    specVersion: '3.3',
    transport: { cert: certs.tpp.cert, key: certs.tpp.key },
    ca: certs.ca.cert,
    insecure: false,
    signingKey: key.privateJwk,
    softwareId: certs.tpp.software_id,
    orgId: certs.tpp.org_id,
    redirectUris: ['https://tpp.example.com/callback'],
    roles: ['AISP'],
    subjectDn: certs.tpp.dn,
    directory: { mode: 'given', ssa },
    capabilities: { management: true, operations: ['GET', 'PUT', 'DELETE'], authMethods: ['tls_client_auth'], contentType: 'application/jose' },
    timeoutMs: 5000,
    ...patch,
  };
}

const outside = (run: PackRun, plan = 'discovery') => run.results.filter((r) => r.plan !== plan);
const negative = (id: string) => checkById(id)?.tags.includes('negative') ?? false;

beforeAll(async () => {
  certs = await generateBundle();
}, 60_000);
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

test('refuse-all: no pass outside discovery; the valid registration is the top root cause; management is blocked', async () => {
  const base = await serve((req, _b, res) => {
    if (req.method === 'POST' && req.url === '/register') return json(res, 400, { error: 'invalid_client_metadata', error_description: 'no' });
    if (req.url === '/token') return json(res, 401, { error: 'invalid_client' });
    json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  });
  const run = await runPack(await target(base));
  expect(outside(run).filter((r) => r.outcome === 'pass').map((r) => r.id)).toEqual([]);
  expect(run.rootCauses[0]).toMatchObject({ exchange: 'register-valid', failing: expect.arrayContaining(['DCR-002-REGISTER-201']) });
  expect(run.rootCauses[0]!.answer).toMatch(/^400 invalid_client_metadata/);
  const mgmt = run.results.filter((r) => r.plan === 'management');
  expect(mgmt.length).toBeGreaterThan(10);
  // Skips only where the target declares no second certificate (altTransport), or gives a fixed SSA (no other software's SSA to PUT).
  expect(mgmt.filter((r) => r.outcome !== 'blocked' && r.outcome !== 'fail').map((r) => `${r.id} ${r.outcome}`)).toEqual(['MGT-TOKEN-OTHER-CERT skip', 'READBACK-PUT-SSA-OTHER-SOFTWARE skip']);
  expect(mgmt.filter((r) => r.outcome === 'blocked').every((r) => ['mgmt-register', 'mgmt-register-b', 'mgmt-register-d'].includes(r.blockedBy ?? ''))).toBe(true);
}, 60_000);

test('accept-all: every negative check fails (or warns), none passes', async () => {
  const clients = new Map<string, Record<string, unknown>>();
  const base = await serve((req, body, res) => {
    if (req.method === 'POST' && req.url === '/register') {
      let claims: Record<string, unknown> = {};
      try {
        claims = decodePayload(body);
      } catch {
        /* accepts anything */
      }
      const client: Record<string, unknown> = { ...claims, client_id: randomUUID(), client_id_issued_at: Math.floor(Date.now() / 1000) };
      delete client.software_statement;
      clients.set(client.client_id as string, client);
      return json(res, 201, client);
    }
    if (req.url === '/token') return json(res, 200, { access_token: randomUUID(), token_type: 'Bearer', expires_in: 300 });
    if (req.method === 'DELETE') return res.writeHead(204).end();
    const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    if (req.method === 'PUT') {
      // Stores whatever the PUT says, software_id included.
      try {
        clients.set(id, { ...clients.get(id), ...decodePayload(body), client_id: id });
      } catch {
        /* accepts anything */
      }
    }
    json(res, 200, clients.get(id) ?? { client_id: id });
  });
  const run = await runPack(await target(base));
  const negatives = run.results.filter((r) => negative(r.id));
  expect(negatives.length).toBeGreaterThan(40);
  expect(negatives.filter((r) => r.outcome === 'pass' || r.outcome === 'blocked').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
  for (const id of ['REQ-TLS-DN-SUBSET', 'JWS-REAL-KEY-UNKNOWN-KID', 'REQ-JTI-REPLAY']) expect({ id, outcome: run.results.find((r) => r.id === id)?.outcome }).toEqual({ id, outcome: 'warn' });
  for (const id of ['TLS-NO-CLIENT-CERT', 'REDIRECT-EXTENDED', 'REDIRECT-CASE', 'JWS-HS256-PUBLIC-KEY', 'JWS-EMBEDDED-JWK', 'MGT-CROSS-CLIENT-DELETE-403', 'TOKEN-NO-STORE', 'DCR-004-EXP', 'DCR-007-EMPTY-TOKEN', 'MGT-CROSS-CLIENT-403', 'MGT-TOKEN-CERT-BOUND']) {
    expect({ id, outcome: run.results.find((r) => r.id === id)?.outcome }).toEqual({ id, outcome: 'fail' });
  }
}, 60_000);

test('rfc7591-json, no client certificate needed: the transport checks are blocked, not passed, and one root cause says why', async () => {
  const base = await serve((req, _b, res) => {
    if (req.method === 'POST' && req.url === '/register' && !/^application\/json/.test(req.headers['content-type'] ?? '')) {
      return json(res, 400, { error: 'invalid_request', error_description: 'only application/json content-type bodies are supported on POST /reg' });
    }
    json(res, 404, { error: 'not_found' });
  });
  const run = await runPack(await target(base));
  for (const id of ['TLS-NO-CLIENT-CERT', 'TLS-UNTRUSTED-CA', 'REDIRECT-NOT-IN-SSA', 'DCR-004-EXP']) expect(run.results.find((r) => r.id === id)?.outcome).toBe('blocked');
  const top = run.rootCauses[0]!;
  expect(top.exchange).toBe('register-valid');
  expect(top.hint).toMatch(/RFC 7591 JSON, not a signed JWT/);
  expect(top.blocks.length).toBeGreaterThan(40);
  expect(outside(run).filter((r) => r.outcome === 'pass')).toEqual([]);
}, 60_000);

test('html-500: the root cause names the 500 HTML answer', async () => {
  const base = await serve((_q, _b, res) => {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end('<html><body><h1>Internal Server Error</h1></body></html>');
  });
  const run = await runPack(await target(base));
  expect(run.rootCauses[0]).toMatchObject({ exchange: 'register-valid' });
  expect(run.rootCauses[0]!.answer).toMatch(/^500 text\/html/);
  expect(run.rootCauses[0]!.hint).toMatch(/server error/);
  expect(outside(run).filter((r) => r.outcome === 'pass')).toEqual([]);
}, 60_000);

test('discovery answering 500 HTML with no registrationEndpoint configured: a connection error naming the answer', async () => {
  const base = await serve(() => undefined, {
    discovery: (_q, _b, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html>oops</html>');
    },
  });
  await expect(runPack(await target(base))).rejects.toThrow(/discovery at .* answered 500 text\/html: <html>oops<\/html>, not 200 with a JSON object/);
}, 60_000);

/** Runs the CLI in a child process; the servers live in this one. */
function cli(args: string[]): Promise<{ code: number; out: string; ms: number }> {
  const started = Date.now();
  const bin = new URL('../../bin/dcr-conformance.js', import.meta.url).pathname;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 150_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 2) : 0, out: `${stdout}${stderr}`, ms: Date.now() - started });
    });
  });
}

test('hang after discovery: exit 2 well within 2 minutes, the reports written, every check blocked', async () => {
  const base = await serve(() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'dcr-hang-'));
  writeFileSync(join(dir, 'ca.pem'), certs.ca.cert);
  writeFileSync(join(dir, 'tpp.pem'), certs.tpp.cert);
  writeFileSync(join(dir, 'tpp.key'), certs.tpp.key);
  const t = await target(base);
  writeFileSync(join(dir, 'key.json'), JSON.stringify(t.signingKey));
  writeFileSync(join(dir, 't.json'), JSON.stringify({ discoveryUrl: t.discoveryUrl, transportCert: 'tpp.pem', transportKey: 'tpp.key', ca: 'ca.pem', ssa: (t.directory as { ssa: string }).ssa, signingKey: 'key.json', timeoutMs: 1500 }));
  const r = await cli(['--config', join(dir, 't.json'), '--report-dir', join(dir, 'out')]);
  expect(r.code).toBe(2);
  expect(r.out).toMatch(/the bank stopped answering/);
  expect(r.ms).toBeLessThan(120_000);
  expect(existsSync(join(dir, 'out', 'junit.xml'))).toBe(true);
  const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as Report;
  expect(report.aborted).toMatch(/stopped answering/);
  expect(report.checks.filter((c) => !c.tags.includes('discovery') || c.plan !== 'discovery').every((c) => c.outcome === 'blocked' || c.outcome === 'skip' || c.outcome === 'n/a' || c.plan === 'discovery')).toBe(true);
  expect(report.checks.filter((c) => c.plan !== 'discovery' && c.outcome === 'pass')).toEqual([]);
}, 150_000);
