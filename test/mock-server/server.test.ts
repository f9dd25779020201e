import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsRequest } from '../../fixtures/https';

const TSX = join('node_modules', '.bin', 'tsx');

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

  test('starts over HTTPS, generates certificates, serves discovery and logs JSON with interaction ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'srv-'));
    const child = spawn(TSX, ['mock-server/server.ts', '--port', '0', '--certs-dir', dir], { env: { ...process.env, LOG_LEVEL: 'info' } });
    try {
      const lines: string[] = [];
      const listening = await new Promise<Record<string, string>>((resolve, reject) => {
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
});
