import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodePayload } from '../../fixtures/registration';
import { runPack, type PackRun } from '../../conformance/runner';
import { checkById } from '../../conformance/rules';
import { resolveTarget, type Target } from '../../conformance/target';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { bankWorld, cdrTarget, type BankWorld } from './bank-harness';

/**
 * The cdr and obf dialects against small deliberately wrong servers written here (as
 * wrong-servers.test.ts does for the OBIE checks): one that refuses every registration, one that
 * accepts everything, one that stops answering after discovery. Of the dialect's own checks none
 * may pass against the first or the last, and every negative check must fail (or warn) against
 * the second: a check that passes there, or stays blocked because its control was "accepted" by a
 * server that accepts anything, would be a hole in the pack.
 */
type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
type Dialect = 'cdr' | 'obf';

const servers: https.Server[] = [];
let world: BankWorld;
let mock: MockBank;
let dir: string;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Discovery as each dialect's banks publish it (the fields the pack reads), the rest to the handler. */
const DISCOVERY: Record<Dialect, (base: string) => Record<string, unknown>> = {
  cdr: (base) => ({
    issuer: base, registration_endpoint: `${base}/register`, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks`,
    token_endpoint_auth_methods_supported: ['private_key_jwt'], token_endpoint_auth_signing_alg_values_supported: ['PS256', 'ES256'],
    grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token'], response_types_supported: ['code'],
    scopes_supported: ['openid', 'profile', 'cdr:registration'], tls_client_certificate_bound_access_tokens: true,
  }),
  obf: (base) => ({
    issuer: base, registration_endpoint: `${base}/register`, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks`,
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'tls_client_auth'], response_types_supported: ['code id_token'],
    mtls_endpoint_aliases: { registration_endpoint: `${base}/register`, token_endpoint: `${base}/token` },
    tls_client_certificate_bound_access_tokens: true,
  }),
};

async function serve(dialect: Dialect, handler: Handler): Promise<string> {
  const certs = world.certs;
  const tls = dialect === 'obf' ? { key: mock.certs.server.key, cert: mock.certs.server.cert, ca: mock.ca } : { key: certs.server.key, cert: certs.server.cert, ca: certs.ca.cert };
  let base = '';
  const server = https.createServer({ ...tls, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/.well-known/openid-configuration') return json(res, 200, DISCOVERY[dialect](base));
      handler(req, Buffer.concat(chunks).toString('utf8'), res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  return base;
}

/** The pack's target for a bank of the dialect at base: as cdr-bank.test.ts and obf-bank.test.ts give it. */
async function target(dialect: Dialect, base: string, timeoutMs = 10_000): Promise<Target> {
  if (dialect === 'obf') {
    const t = await resolveTarget({
      dialect: 'obf', discoveryUrl: `${base}/.well-known/openid-configuration`, transportCert: 'tpp.pem', transportKey: 'tpp.key', altTransportCert: 'alt.pem', altTransportKey: 'alt.key', ca: 'ca.pem',
      directory: 'mock-endpoint', directoryUrl: `${mock.url}/obf-directory`,
    }, dir);
    return { ...t, timeoutMs };
  }
  return cdrTarget(world, `${base}/.well-known/openid-configuration`, timeoutMs);
}

/** The dialect's own checks of a run: every other dialect's are n/a. */
const own = (run: PackRun, dialect: Dialect) => run.results.filter((r) => checkById(r.id)?.id.startsWith(`${dialect.toUpperCase()}-`));
const negative = (id: string) => checkById(id)?.tags.includes('negative') ?? false;

/** The request's claims or metadata: a JWS (cdr) or JSON (obf); anything else is accepted as empty. */
function claimsOf(body: string): Record<string, unknown> {
  try {
    return body.trim().startsWith('{') ? (JSON.parse(body) as Record<string, unknown>) : decodePayload(body.trim());
  } catch {
    return {};
  }
}

/** Accepts whatever it is sent: every registration, every token request, every read, update and delete of any client. */
function acceptAll(): Handler {
  const clients = new Map<string, Record<string, unknown>>();
  return (req, body, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (req.method === 'POST' && path === '/register') {
      const claims = claimsOf(body);
      const ssa = typeof claims.software_statement === 'string' ? claimsOf(claims.software_statement) : {};
      const id = randomUUID();
      const client: Record<string, unknown> = { ...claims, software_id: ssa.software_id ?? claims.software_id, client_id: id, client_id_issued_at: Math.floor(Date.now() / 1000), registration_access_token: randomUUID(), registration_client_uri: `https://${req.headers.host}/register/${id}` };
      delete client.software_statement;
      clients.set(id, client);
      return json(res, 201, client);
    }
    if (path === '/token') return json(res, 200, { access_token: randomUUID(), token_type: 'Bearer', expires_in: 300, scope: 'cdr:registration' });
    const id = decodeURIComponent(path.split('/').pop() ?? '');
    if (req.method === 'DELETE') return res.writeHead(204).end();
    if (req.method === 'PUT') clients.set(id, { ...clients.get(id), ...claimsOf(body), client_id: id });
    json(res, 200, clients.get(id) ?? { client_id: id });
  };
}

beforeAll(async () => {
  [world, mock] = await Promise.all([bankWorld('cdr-register', 'adr.example.com'), startMockBank({ profile: 'obf' })]);
  dir = mkdtempSync(join(tmpdir(), 'wrong-dialects-'));
  const files: Record<string, string> = { 'tpp.pem': mock.certs.obfTpp!.cert, 'tpp.key': mock.certs.obfTpp!.key, 'alt.pem': mock.certs.obfAltTpp!.cert, 'alt.key': mock.certs.obfAltTpp!.key, 'ca.pem': mock.ca };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o600 });
}, 60_000);
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['cdr', 'obf'] as const)('%s', (dialect) => {
  test('refuse-all: none of the dialect\'s checks outside discovery passes or warns (failed, blocked, or deferring to the refused registration\'s check), the refusal the top root cause', async () => {
    const base = await serve(dialect, (req, _b, res) => {
      if (req.method === 'POST' && req.url === '/register') return json(res, 400, { error: 'invalid_client_metadata', error_description: 'ERR-GEN-001: no' });
      if (req.url === '/token') return json(res, 401, { error: 'invalid_client' });
      json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    });
    const run = await runPack(await target(dialect, base));
    // Discovery is answered as a correct bank's is, so its checks may pass; a check reading the refused
    // registration's own answer skips, deferring to that registration's check (which fails).
    const results = own(run, dialect).filter((r) => !checkById(r.id)!.tags.includes('discovery'));
    expect(results.length).toBeGreaterThan(20);
    expect(results.filter((r) => r.outcome === 'pass' || r.outcome === 'warn').map((r) => `${r.id} ${r.outcome}`)).toEqual([]);
    expect(results.filter((r) => r.outcome === 'skip').every((r) => /judged by|registration answered/.test(r.message ?? ''))).toBe(true);
    expect(results.filter((r) => r.outcome === 'blocked').length).toBeGreaterThan(results.length / 2);
    expect(run.rootCauses[0]!.answer).toMatch(/^400 invalid_client_metadata/);
  }, 90_000);

  test('accept-all: every negative check of the dialect fails (or warns), none passes or is left blocked', async () => {
    const run = await runPack(await target(dialect, await serve(dialect, acceptAll())));
    const negatives = own(run, dialect).filter((r) => negative(r.id));
    expect(negatives.length).toBeGreaterThan(10);
    expect(negatives.filter((r) => r.outcome !== 'fail' && r.outcome !== 'warn').map((r) => `${r.id} ${r.outcome}: ${r.message}`)).toEqual([]);
  }, 90_000);

  test('hang after discovery: bounded, nothing of the dialect passes', async () => {
    const base = await serve(dialect, () => undefined);
    const started = Date.now();
    const run = await runPack(await target(dialect, base, 1500));
    expect(Date.now() - started).toBeLessThan(60_000);
    const results = own(run, dialect).filter((r) => !checkById(r.id)!.tags.includes('discovery'));
    expect(results.length).toBeGreaterThan(20);
    expect(results.filter((r) => r.outcome !== 'blocked').map((r) => `${r.id} ${r.outcome}`)).toEqual([]);
  }, 90_000);
});
