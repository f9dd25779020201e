import https from 'node:https';
import type { RequestListener } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { ensureCerts, generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { startupGate } from '../../mock-server/http/startup';
import { httpsRequest } from '../../fixtures/https';

/**
 * Start-up: the request handler is attached before listen, so a request that arrives while the
 * app is being built is answered, never left hanging; GET /health (and /healthz) answers 200
 * {"status":"ok"} without a client certificate, even before the app is ready. No timing asserted.
 */
let certs: CertBundle;
beforeAll(async () => {
  certs = await generateBundle();
}, 60_000);

describe('GET /health', () => {
  let bank: MockBank;
  beforeAll(async () => {
    bank = await startMockBank({ certs });
  }, 30_000);
  afterAll(() => bank.close());

  test.each(['/health', '/healthz', '/health?probe=1'])('%s answers 200 {"status":"ok"} without a client certificate', async (path) => {
    const r = await httpsRequest(`${bank.url}${path}`, { ca: bank.ca });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
    expect(r.headers['content-type']).toMatch(/^application\/json/);
  });

  test('HEAD /health answers 200; POST /health is not the probe', async () => {
    expect((await httpsRequest(`${bank.url}/health`, { method: 'HEAD', ca: bank.ca })).status).toBe(200);
    expect((await httpsRequest(`${bank.url}/health`, { method: 'POST', ca: bank.ca, body: '' })).status).toBe(404);
  });
});

describe('a request arriving while the app is built', () => {
  const serve = (handler: RequestListener) =>
    new Promise<{ server: https.Server; url: string }>((resolve) => {
      const server = https.createServer({ key: certs.server.key, cert: certs.server.cert }, handler);
      server.listen(0, '127.0.0.1', () => resolve({ server, url: `https://localhost:${(server.address() as AddressInfo).port}` }));
    });

  test('is held and answered by the app once it is ready; /health answers before', async () => {
    const gate = startupGate();
    const { server, url } = await serve(gate.handler);
    try {
      const early = httpsRequest(`${url}/.well-known/openid-configuration`, { ca: certs.ca.cert, timeoutMs: 5000 });
      const probe = await httpsRequest(`${url}/health`, { ca: certs.ca.cert, timeoutMs: 5000 });
      expect(probe).toMatchObject({ status: 200, json: { status: 'ok' } });
      await new Promise((r) => setTimeout(r, 100));
      gate.ready((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url })));
      expect(await early).toMatchObject({ status: 200, json: { path: '/.well-known/openid-configuration' } });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('gets 503 when the app cannot be built, not silence', async () => {
    const gate = startupGate();
    const { server, url } = await serve(gate.handler);
    try {
      const early = httpsRequest(`${url}/register`, { ca: certs.ca.cert, timeoutMs: 5000 });
      await new Promise((r) => setTimeout(r, 100));
      gate.failed(new Error('no'));
      expect(await early).toMatchObject({ status: 503, json: { error: 'temporarily_unavailable' } });
      expect((await httpsRequest(`${url}/register`, { ca: certs.ca.cert, timeoutMs: 5000 })).status).toBe(503);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

test('npm start: requests sent from the instant the port accepts connections are all answered, none hangs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcr-startup-'));
  await ensureCerts(dir);
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn(join('node_modules', '.bin', 'tsx'), ['mock-server/server.ts', '--port', String(port), '--certs-dir', dir], { env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: 'ignore' });
  const get = (path: string) => httpsRequest(`https://localhost:${port}${path}`, { insecure: true, timeoutMs: 5000 });
  try {
    const answers: number[] = [];
    const deadline = Date.now() + 30_000;
    // Poll until the port accepts; from then on, every request must be answered (a hang is ETIMEDOUT and fails the test).
    for (;;) {
      try {
        const [d, h] = await Promise.all([get('/.well-known/openid-configuration'), get('/health')]);
        answers.push(d.status, h.status);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw e;
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    expect(answers).toEqual([200, 200]);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
