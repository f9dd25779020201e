/**
 * Nothing acknowledged is lost: a bank instance (a child process of the CLI, run by tsx) is
 * killed with SIGKILL during a bounded load of registrations. Every registration answered 201 is
 * readable from the other instance, and still after Redis itself is killed and restarted
 * (appendonly yes, appendfsync always) and the killed instance is started again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { bankUrls } from '../../../mock-server/app';
import { ensureCerts } from '../../../mock-server/tls/certs';
import { createTpp, type TestTpp } from '../../../fixtures/tpp';
import { httpsRequest } from '../../../fixtures/https';
import { describeRedis, freePort, removeRedis, startRedis, type TestRedis } from '../../helpers/redis-server';

import { jest } from '@jest/globals';

jest.setTimeout(120_000);

let redis: TestRedis;
let certsDir: string;
let directory: MockBank;
let b: MockBank;
let child: ChildProcess | undefined;
let stderr = '';

function startChild(port: number): ChildProcess {
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', CERTS_DIR: certsDir, STORE_URL: redis.url, DIRECTORY_URL: directory.url, LOG_LEVEL: 'error' };
  // tsx as a loader in this very process (its CLI would put the server in a grandchild a SIGKILL misses).
  const proc = spawn(process.execPath, ['--import', 'tsx', 'mock-server/cli.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return proc;
}

async function waitReady(url: string, ca: string, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the bank process exited with ${proc.exitCode}: ${stderr}`);
    try {
      const res = await httpsRequest(`${url}/.well-known/openid-configuration`, { ca });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function clientIds(bank: { url: string; ca: string }, tpp: TestTpp): Promise<Set<string>> {
  const res = await httpsRequest(`${bank.url}/__admin/clients`, { ca: bank.ca, client: tpp.transport });
  if (res.status !== 200) throw new Error(`admin clients: ${res.status} ${res.text}`);
  return new Set((res.json as { clients: Array<{ client_id: string }> }).clients.map((c) => c.client_id));
}

describeRedis('durability on Redis (appendfsync always)', () => {
  beforeAll(async () => {
    redis = await startRedis({ durable: true });
    certsDir = mkdtempSync(join(tmpdir(), 'dcr-certs-'));
    const { bundle: certs } = await ensureCerts(certsDir);
    directory = await startMockBank({ role: 'directory', certs, storeUrl: redis.url, logLevel: 'error' });
    b = await startMockBank({ certs, storeUrl: redis.url, directoryUrl: directory.url, logLevel: 'error' });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await b?.close();
    await directory?.close();
    await removeRedis(redis);
    rmSync(certsDir, { recursive: true, force: true });
  });

  test('kill -9 during registrations: every 201 is readable from the other instance, after a Redis restart and after the instance restarts', async () => {
    const port = await freePort();
    child = startChild(port);
    const aUrl = `https://localhost:${port}`;
    await waitReady(aUrl, b.ca, child);
    const a = { ...b, url: aUrl, issuer: bankUrls(aUrl, b.profile).issuer, urls: bankUrls(aUrl, b.profile) } as MockBank;
    const tpp = await createTpp(a);
    // Signed up front: the load is the bank's work, not the test's.
    const jwts = await Promise.all(Array.from({ length: 60 }, () => tpp.sign(tpp.claims())));

    const acknowledged: string[] = [];
    let refused = 0;
    let next = 0;
    const killAfter = 15;
    const worker = async () => {
      while (next < jwts.length) {
        const jwt = jwts[next++]!;
        try {
          const res = await tpp.register(jwt);
          if (res.status === 201) {
            acknowledged.push((res.json as { client_id: string }).client_id);
            if (acknowledged.length === killAfter && child!.exitCode === null) child!.kill('SIGKILL');
          } else refused++;
        } catch {
          refused++; // the connection died with the process: not acknowledged
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await new Promise<void>((r) => (child!.exitCode !== null || child!.signalCode !== null ? r() : child!.once('exit', () => r())));
    expect(child.signalCode).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);
    expect(acknowledged.length).toBeLessThan(jwts.length); // killed mid-load
    expect(refused).toBeGreaterThan(0);

    // The other instance reads every acknowledged registration.
    const atB = await clientIds(b, tpp);
    expect(acknowledged.filter((id) => !atB.has(id))).toEqual([]);

    // Redis itself killed and restarted: the append-only file, fsynced on every write, keeps them.
    await redis.stop('SIGKILL');
    await redis.restart();
    child = startChild(port);
    await waitReady(aUrl, b.ca, child);
    const atA = await clientIds(a, tpp);
    expect(acknowledged.filter((id) => !atA.has(id))).toEqual([]);
    child.kill('SIGTERM');
  });
}, { needsBinary: true });
