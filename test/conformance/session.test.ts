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
