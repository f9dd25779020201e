/**
 * npm run bench:startup: the published mock bank's warm start (certificates already in its certs
 * dir, its code cache written by an earlier start), from spawning `node dist/bin/dcr-mockbank.js`
 * (the package's bin, npm run build) to the first answer of its discovery document, beside a bare
 * node:https server with the same certificates started the same way, plain node
 * (bench/bare-https.mjs). Requests are sent every few milliseconds from the spawn on; none may
 * hang. Interleaved rounds, medians and their ratio, measured in the same run, wall time and the
 * child's CPU time at its first answer (steadier on a loaded machine). The clone's tsx path
 * (node --import tsx mock-server/server.ts) is measured beside them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** CPU time (user + system) the process has used so far, in ms (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Spawns the server and returns the ms from spawn to the first answer of `path`, its CPU ms by then, and how many requests hung. */
async function startOnce(args: (port: number) => string[], path: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; cpu: number; hung: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args(port), { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
  let hung = 0;
  try {
    for (;;) {
      const status = await get(`https://127.0.0.1:${port}${path}`);
      if (status === 'hung') hung++;
      else if (status !== 0) {
        if (status !== 200) throw new Error(`${path} answered ${status}`);
        return { ms: performance.now() - started, cpu: cpuMs(child.pid!), hung };
      }
      if (performance.now() - started > 60_000) throw new Error(`no answer from ${args(port).join(' ')} within 60 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill();
    await new Promise((r) => child.once('exit', r));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  // BENCH_DIST_DIR: a build other than dist/ (DCR_DIST_DIR of scripts/build.mjs; the bench test makes its own).
  const bin = process.env.BENCH_DIST_DIR ? join(process.env.BENCH_DIST_DIR, 'bin', 'dcr-mockbank.js') : here('../dist/bin/dcr-mockbank.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: npm run build first (npm run bench:startup does)`);
  const dir = mkdtempSync(join(tmpdir(), 'dcr-bench-startup-'));
  try {
    await ensureCerts(dir);
    const cache = { DCR_KEY_CACHE: join(dir, 'key-cache') };
    const servers: Array<{ name: string; args: (port: number) => string[]; path: string; env: NodeJS.ProcessEnv }> = [
      { name: 'published bin', args: (port) => [bin, '--port', String(port), '--certs-dir', dir], path: '/.well-known/openid-configuration', env: cache },
      { name: 'bare https  ', args: (port) => [here('./bare-https.mjs'), String(port), dir], path: '/', env: {} },
      { name: 'clone (tsx) ', args: (port) => ['--import', 'tsx', here('../mock-server/server.ts'), '--port', String(port), '--certs-dir', dir], path: '/.well-known/openid-configuration', env: {} },
    ];
    // BENCH_STARTUP_OTHER_BIN: another build's dcr-mockbank.js (e.g. an earlier commit's), measured in the same rounds.
    const other = process.env.BENCH_STARTUP_OTHER_BIN;
    if (other) servers.push({ name: 'other bin   ', args: (port) => [other, '--port', String(port), '--certs-dir', dir], path: '/.well-known/openid-configuration', env: cache });
    // One start of each first: the bin's code cache is written at its exit, tsx's transform cache warmed.
    for (const s of servers) await startOnce(s.args, s.path, s.env);
    const runs = servers.map(() => [] as Array<{ ms: number; cpu: number }>);
    let hung = 0;
    for (let i = 0; i < ROUNDS; i++) {
      for (const [k, s] of servers.entries()) {
        const r = await startOnce(s.args, s.path, s.env);
        runs[k]!.push(r);
        hung += r.hung;
      }
    }
    const ms = runs.map((r) => median(r.map((x) => x.ms)));
    const cpu = runs.map((r) => median(r.map((x) => x.cpu)));
    // Each round's own ratio, then their median: the rounds move together with the machine's load.
    const ratio = (k: number, of: 'ms' | 'cpu') => median(runs[k]!.map((x, i) => x[of] / runs[1]![i]![of]));
    console.log(`mock bank warm start (certificates on disk), spawn to the first answer of GET /.well-known/openid-configuration, ${ROUNDS} interleaved round(s), medians; plain node unless named`);
    for (const [k, s] of servers.entries()) {
      const vs = k === 1 ? '' : `  ratio to bare: ${ratio(k, 'ms').toFixed(2)}x wall, ${ratio(k, 'cpu').toFixed(2)}x CPU`;
      console.log(`  ${s.name}: ${ms[k]!.toFixed(0)} ms wall, ${cpu[k]!.toFixed(0)} ms CPU${vs}`);
    }
    console.log(`  requests hung during start-up: ${hung}`);
    console.log(`  by round (${servers.map((s) => s.name.trim()).join(' / ')}, ms): ${runs[0]!.map((_, i) => runs.map((r) => r[i]!.ms.toFixed(0)).join('/')).join(', ')}`);
    if (hung) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
