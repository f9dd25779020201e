import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsRequest } from '../../fixtures/https';

const TSX = join('node_modules', '.bin', 'tsx');

/** Starts `npm start`'s entry point with args; resolves with the "mock bank listening" log entry and every line logged. */
function startServer(args: string[], dir: string) {
  const child = spawn(TSX, ['mock-server/server.ts', '--port', '0', '--certs-dir', dir, ...args], { env: { ...process.env, LOG_LEVEL: 'info' } });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const listening = new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 20 s: ${lines.join('\n')}`)), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        lines.push(line);
        const entry = JSON.parse(line) as Record<string, string>;
        if (entry.msg === 'mock bank listening') {
          clearTimeout(timer);
          resolve(entry);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${lines.join('\n')}`)));
  });
  return { child, lines, listening, stderr: () => stderr };
}

describe('the server entry point (npm start)', () => {
  test('--help prints the options and exits 0', () => {
    const r = spawnSync(TSX, ['mock-server/server.ts', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--public-url');
  });

  test('a bad setting exits 2 naming it', () => {
    const r = spawnSync(TSX, ['mock-server/server.ts'], { encoding: 'utf8', env: { ...process.env, PORT: 'eighty' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PORT must be a whole number');
  });

  test('a garbage TLS_CLIENT_CA stops the start naming it (it used to start without that CA)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'srv-'));
    try {
      const ca = join(dir, 'ca-garbage.pem');
      writeFileSync(ca, 'garbage');
      const r = spawnSync(TSX, ['mock-server/server.ts', '--port', '0', '--certs-dir', dir], { encoding: 'utf8', env: { ...process.env, TLS_CLIENT_CA: ca }, timeout: 20_000 });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`TLS_CLIENT_CA ${ca}: holds no PEM certificate`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('starts over HTTPS, generates certificates, serves discovery and logs JSON with interaction ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'srv-'));
    const { child, lines, listening: started } = startServer([], dir);
    try {
      const listening = await started;
      expect(listening.url).toMatch(/^https:\/\/localhost:\d+$/);
      const res = await httpsRequest(`${listening.url}/.well-known/openid-configuration`, { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') });
      expect(res.status).toBe(200);
      expect((res.json as { issuer: string }).issuer).toBe(listening.url);
      await new Promise((r) => setTimeout(r, 100));
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'request');
      expect(logged).toMatchObject({ method: 'GET', path: '/.well-known/openid-configuration', status: 200 });
      expect(logged?.interaction_id).toBe(res.headers['x-fapi-interaction-id']);
    } finally {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--profile cpb-sandbox: one command starts that bank and prints the developer-portal credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'srv-'));
    const { child, listening: started, stderr } = startServer(['--profile', 'cpb-sandbox'], dir);
    try {
      const listening = await started;
      expect(listening).toMatchObject({ profile: 'cpb-sandbox', portal_client_id: 'sandbox-portal-app', registration_endpoint: `${listening.url}/open-banking/v3.1/register` });
      for (let i = 0; i < 40 && !stderr().includes('PORTAL_CLIENT_SECRET='); i++) await new Promise((r) => setTimeout(r, 50));
      const secret = /PORTAL_CLIENT_SECRET=(\S+)/.exec(stderr())?.[1];
      expect(stderr()).toContain('PORTAL_CLIENT_ID=sandbox-portal-app');
      expect(secret).toEqual(expect.any(String));
      const res = await httpsRequest(`${listening.url}/__admin/profile`, { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') });
      expect(res.json).toMatchObject({ name: 'cpb-sandbox', portal: { client_id: 'sandbox-portal-app', client_secret: secret } });
    } finally {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
