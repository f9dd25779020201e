/**
 * Registrations whose software JWKS is fetched over the network (a trusted external directory):
 * the fetch is bounded by one deadline (JWKS_TIMEOUT_MS), and parallel registrations naming the
 * same JWKS make one upstream request.
 */
import https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createDirectoryKey, generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { decodePayload, publicJwks, signJws } from '../../fixtures/registration';
import { signingKeyFromJwk } from '../../fixtures/keys';
import { refusal } from '../../fixtures/https';

const ISSUER = 'External Test Directory';
let certs: CertBundle;
let server: https.Server;
let dir: string;
let bank: MockBank;
let tpp: TestTpp;
let ssaFor: (jwksPath: string) => Promise<string>;
const hits: Record<string, number> = {};
const timers = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  certs = await generateBundle();
  server = https.createServer({ key: certs.server.key, cert: certs.server.cert }, (req, res) => {
    hits[req.url!] = (hits[req.url!] ?? 0) + 1;
    if (req.url === '/delayed/jwks') {
      const t = setTimeout(() => res.end(JSON.stringify(publicJwks(tpp.key))), 300);
      timers.add(t);
      return;
    }
    if (req.url === '/drip/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const t = setInterval(() => res.write(' '), 100);
      timers.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `localhost:${(server.address() as AddressInfo).port}`;

  const directoryKey = await createDirectoryKey();
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = directoryKey;
  dir = mkdtempSync(join(tmpdir(), 'jwks-reg-'));
  const file = join(dir, 'directories.json');
  writeFileSync(file, JSON.stringify([{ issuer: ISSUER, jwks: { keys: [pub] }, jwks_hosts: [host] }]));
  bank = await startMockBank({ certs, trustedDirectoriesFile: file, jwksTimeoutMs: 3000 });
  tpp = await createTpp(bank);
  const signer = await signingKeyFromJwk(directoryKey);
  // The built-in directory's SSA claims, issued instead by the external directory and naming a JWKS on the local server.
  ssaFor = (path) => signJws({ ...decodePayload(tpp.minted.software_statement), iss: ISSUER, software_jwks_endpoint: `https://${host}${path}` }, signer);
});
afterAll(async () => {
  for (const t of timers) clearTimeout(t);
  server.closeAllConnections();
  server.close();
  await bank?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('software JWKS fetched from a trusted external directory', () => {
  test('eight parallel registrations naming one JWKS make one upstream request', async () => {
    const ssa = await ssaFor('/delayed/jwks');
    const answers = await Promise.all(Array.from({ length: 8 }, async () => tpp.register(await tpp.sign(tpp.claims({ software_statement: ssa })))));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(hits['/delayed/jwks']).toBe(1);
  });

  // The deadline is 3 s rather than 1 s so that a loaded machine (CI, parallel suites) still fetches the
  // 300 ms JWKS in time; the drip is bounded all the same.
  test('a JWKS dripped a byte every 100 ms holds a registration no longer than JWKS_TIMEOUT_MS', async () => {
    const ssa = await ssaFor('/drip/jwks');
    const started = Date.now();
    const res = await tpp.register(await tpp.sign(tpp.claims({ software_statement: ssa })));
    expect(refusal(res)).toMatchObject({ status: 400, rule: 'JWKS-FETCH' });
    expect((res.json as { error_description: string }).error_description).toMatch(/did not answer within 3000 ms/);
    expect(Date.now() - started).toBeLessThan(6000);
  });
});
