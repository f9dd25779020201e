import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { createCa } from '../../common/certs';
import { record, explainTransportError } from '../../conformance/exchange';
import { openSession, ConnectionError } from '../../conformance/session';
import type { Target } from '../../conformance/target';

/** A server that insists on a client certificate at the TLS layer from a CA nobody holds. */
let server: https.Server;
let url: string;
let b: CertBundle;
beforeAll(async () => {
  b = await generateBundle();
  const rogue = await createCa('Nobody');
  server = https.createServer({ key: b.server.key, cert: b.server.cert, ca: rogue.cert, requestCert: true, rejectUnauthorized: true }, (_q, r) => r.end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://localhost:${(server.address() as AddressInfo).port}/.well-known/openid-configuration`;
}, 60_000);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const target = (patch: Partial<Target> = {}): Target => ({
  discoveryUrl: url,
  specVersion: '3.3',
  transport: { cert: b.tpp.cert, key: b.tpp.key },
  ca: b.ca.cert,
  insecure: false,
  softwareId: b.tpp.software_id,
  orgId: b.tpp.org_id,
  redirectUris: ['https://tpp.example.com/callback'],
  roles: ['AISP'],
  subjectDn: b.tpp.dn,
  directory: { mode: 'given', ssa: 'x.y.z' },
  capabilities: { management: false, operations: [], authMethods: ['tls_client_auth'], contentType: 'application/jose' },
  timeoutMs: 5000,
  ...patch,
});

test('discovery behind mandatory TLS client auth is a connection error that says so', async () => {
  await expect(openSession(target())).rejects.toThrow(ConnectionError);
  await expect(openSession(target())).rejects.toThrow(/requires a client certificate at the TLS layer/);
});

test('an unverifiable server certificate is a connection error that names the ca setting', async () => {
  await expect(openSession(target({ ca: (await createCa('Other')).cert }))).rejects.toThrow(/server certificate .* could not be verified; set ca/);
});

test('a transport certificate refused at the TLS layer is explained as such', async () => {
  const r = await record('x', url, { ca: b.ca.cert, client: { cert: b.tpp.cert, key: b.tpp.key } });
  expect(r.status).toBe(0);
  expect(explainTransportError(r.transportError!, url, true)).toMatch(/refused the TLS connection with the transport certificate/);
});

describe('discovery and the SSA', () => {
  /** Discovery answered after `discoveryDelayMs`; the mock directory's /directory/ssa at once (or refused). */
  let bank: https.Server;
  let origin: string;
  const events: string[] = [];
  let discoveryDelayMs = 0;
  let mintStatus = 201;
  beforeAll(async () => {
    bank = https.createServer({ key: b.server.key, cert: b.server.cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/.well-known/openid-configuration') {
          events.push('discovery asked');
          setTimeout(() => {
            events.push('discovery answered');
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: origin, registration_endpoint: `${origin}/register` }));
          }, discoveryDelayMs);
          return;
        }
        events.push(`${req.method} ${req.url}`);
        res.writeHead(mintStatus, { 'content-type': 'application/json' }).end(JSON.stringify(mintStatus === 201 ? { software_statement: 'h.p.s' } : { error: 'no' }));
      });
    });
    await new Promise<void>((resolve) => bank.listen(0, '127.0.0.1', resolve));
    origin = `https://localhost:${(bank.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => bank.close(() => resolve())));
  beforeEach(() => {
    events.length = 0;
    discoveryDelayMs = 0;
    mintStatus = 201;
  });
  const mockDirectory = (patch: Partial<Target> = {}) => target({ discoveryUrl: `${origin}/.well-known/openid-configuration`, directory: { mode: 'mock-endpoint', url: `${origin}/directory` }, ...patch });

  test('the SSA is fetched while discovery is, not after it', async () => {
    discoveryDelayMs = 300;
    const session = await openSession(mockDirectory());
    session.close();
    expect(session.ssa).toBe('h.p.s');
    expect(session.registrationEndpoint).toBe(`${origin}/register`);
    expect(events).toEqual(['discovery asked', 'POST /directory/ssa', 'discovery answered']);
  }, 30_000);

  test("discovery's failure is the error even when the SSA fails too; an SSA the directory refuses is a connection error that says so", async () => {
    mintStatus = 500;
    await expect(openSession(mockDirectory({ discoveryUrl: 'https://localhost:1/.well-known/openid-configuration' }))).rejects.toThrow(/cannot fetch discovery: nothing answers/);
    await expect(openSession(mockDirectory())).rejects.toThrow(/cannot obtain an SSA \(mock-endpoint\): the mock directory .* did not mint an SSA \(500\)/);
  }, 30_000);
});
