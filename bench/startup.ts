/**
 * npm run bench:startup: the mock bank's warm start (certificates already in its certs dir), from
 * spawning `node --import tsx mock-server/server.ts` to the first answer of its discovery document,
 * beside a bare node:https server with the same certificates started the same way (bench/bare-server.ts).
 * Requests are sent every few milliseconds from the spawn on; interleaved rounds, medians and
 * their ratio, measured in the same run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net, { type AddressInfo } from 'node:net';
import https from 'node:https';
import { ensureCerts } from '../mock-server/tls/certs';
import { setting } from './settings';


const ROUNDS = setting('BENCH_STARTUP_ROUNDS', 5);
const here = (f: string) => new URL(f, import.meta.url).pathname;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

/** One GET: its status, 0 when refused, 'hung' when no answer came within 5 s. */
const get = (url: string) =>
  new Promise<number | 'hung'>((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(5000, () => {
      req.destroy();
      resolve('hung');
    });
    req.on('error', () => resolve(0));
  });

/** Spawns the server and returns the ms from spawn to the first answer of `path`, and how many requests hung. */
async function startOnce(args: (port: number) => string[], path: string): Promise<{ ms: number; hung: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args(port)], { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'silent' } });
  let hung = 0;
  try {
    for (;;) {
      const status = await get(`https://127.0.0.1:${port}${path}`);
      if (status === 'hung') hung++;
      else if (status !== 0) {
        if (status !== 200) throw new Error(`${path} answered ${status}`);
        return { ms: performance.now() - started, hung };
      }
      if (performance.now() - started > 60_000) throw new Error(`no answer from ${args(port).join(' ')} within 60 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill();
    await new Promise((r) => child.once('exit', r));
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dcr-bench-startup-'));
  try {
    await ensureCerts(dir);
    const mock = (port: number) => [here('../mock-server/server.ts'), '--port', String(port), '--certs-dir', dir];
    const bare = (port: number) => [here('./bare-server.ts'), String(port), dir];
    // One start of each first, so that tsx's transform cache is as warm for the measured rounds as after any earlier start.
    await startOnce(mock, '/.well-known/openid-configuration');
    await startOnce(bare, '/');
    const mocks: number[] = [];
    const bares: number[] = [];
    let hung = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const m = await startOnce(mock, '/.well-known/openid-configuration');
      mocks.push(m.ms);
      hung += m.hung;
      bares.push((await startOnce(bare, '/')).ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const m = median(mocks);
    const b = median(bares);
    console.log(`mock bank warm start (certificates on disk), spawn to the first answer of GET /.well-known/openid-configuration, ${ROUNDS} interleaved round(s) (median shown), both started as node --import tsx`);
    console.log(`  mock bank : ${m.toFixed(0)} ms  (requests hung during start-up: ${hung})`);
    console.log(`  bare https: ${b.toFixed(0)} ms  (node:https with the same certificates, answering {})`);
    console.log(`  ratio     : ${(m / b).toFixed(2)}x the bare server's start`);
    console.log(`  by round  : ${mocks.map((x, i) => `${x.toFixed(0)}/${bares[i]!.toFixed(0)}`).join(', ')}`);
    if (hung) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
