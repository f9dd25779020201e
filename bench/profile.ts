/**
 * npm run bench:profile: where the mock's CPU goes on POST /register under load. The bank runs in
 * this process; the requests are signed first, then the V8 profiler (node:inspector) records only
 * while the load generator (a child process, bench/load.ts) sends them. Prints the self time by
 * function and by file (package, or the mock's own module), weighted by time, as shares of the busy
 * time and in microseconds per request, and writes the .cpuprofile (BENCH_PROFILE_OUT, default
 * register.cpuprofile in the temp directory) for Chrome DevTools.
 * - BENCH_PROFILE_TARGET=bare: the bare baseline (bench/bare-register.ts) instead, under the same load.
 * - BENCH_PROFILE_HEAP=1: also the bytes allocated per request, by function.
 */
import { Session } from 'node:inspector/promises';
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Round, RoundResult } from './load';
import { startMockBank } from '../mock-server/runtime';
import { createTpp } from '../fixtures/tpp';
import { setting } from './settings';
import { startBareRegister } from './bare-register';
import type { JWK } from 'jose';

const N = setting('BENCH_N', 6000);
const WARMUP = setting('BENCH_WARMUP', 3000);
const CONCURRENCY = setting('BENCH_CONCURRENCY', 16);
const TOP = setting('BENCH_PROFILE_TOP', 30);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

/** A file named for the summary: the npm package, node's internals, or the path under the repository. */
function fileOf(url: string): string {
  if (!url) return '(native / gc / idle)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/((?:mock-server|common|fixtures|bench)\/.*)$/.exec(url);
  return own ? own[1]! : url;
}

/**
 * Self time by function and by file, each sample weighted by the time it stands for (its
 * timeDelta), as shares of the busy time and in microseconds per request. Counting samples
 * instead over-weights short ones: a sample inside a long native call (a signature check, a
 * socket write) is taken late and stands for more time than one inside JavaScript.
 */
function summarise(profile: Profile, requests: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let idle = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    total += us;
    const n = byId.get(id)!;
    const name = n.callFrame.functionName;
    if (name === '(idle)') {
      idle += us;
      return;
    }
    const where = fileOf(n.callFrame.url);
    const key = `${name || '(anonymous)'}  ${where}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    file.set(where, (file.get(where) ?? 0) + us);
  });
  const busy = total - idle;
  const row = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / requests).toFixed(1).padStart(6)} us/req`;
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  console.log(`busy: ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms recorded (the rest idle), ${(busy / requests).toFixed(0)} us per request on the main thread`);
  console.log('self time by file:');
  for (const [k, us] of top(file, 20)) console.log(`  ${row(us)}  ${k}`);
  console.log('self time by function:');
  for (const [k, us] of top(fn, TOP)) console.log(`  ${row(us)}  ${k}`);
}

interface HeapNode { callFrame: Node['callFrame']; selfSize: number; children: HeapNode[] }

/** Bytes allocated per request by function (BENCH_PROFILE_HEAP=1), garbage included: what the collector then has to clear. */
function summariseHeap(head: HeapNode, requests: number): void {
  const fn = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode) => {
    total += n.selfSize;
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${fileOf(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    if (n.selfSize) fn.set(key, (fn.get(key) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(head);
  const kb = (b: number) => `${(b / requests / 1024).toFixed(2).padStart(6)} KB/req`;
  console.log(`allocated: ${kb(total)} in all (sampled; the load generator's IPC, writeChannelMessage, is the bench's own)`);
  for (const [k, b] of [...fn].sort((a, c) => c[1] - a[1]).slice(0, TOP)) console.log(`  ${kb(b)}  ${k}`);
}

const bank = await startMockBank({ logLevel: 'silent' });
const tpp = await createTpp(bank);
const sign = () => tpp.sign(tpp.claims());
const warm = await Promise.all(Array.from({ length: WARMUP }, sign));
const bodies = await Promise.all(Array.from({ length: N }, sign));
const child = fork(new URL('./load.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
const tls = { ca: bank.ca, cert: bank.tpp.cert, key: bank.tpp.key };
// BENCH_PROFILE_TARGET=bare profiles the bare baseline (bench/bare-register.ts) the same way, to
// tell the cost both servers pay (TLS, the signatures) from the mock's own.
const bare = process.env.BENCH_PROFILE_TARGET === 'bare'
  ? await startBareRegister({
    tls: { key: bank.certs.server.key, cert: bank.certs.server.cert, ca: [bank.ca] },
    directory: { issuer: tpp.minted.claims.iss as string, jwk: bank.directory.jwks().keys[0] as JWK },
    softwareJwk: tpp.key.publicJwk,
    audience: bank.issuer,
  })
  : undefined;
const url = `https://127.0.0.1:${bare ? bare.port : bank.port}/register`;
/** Sends a round, then (once the bodies are on their way: writing them is not the server's work) calls `sent`. */
const run = async (b: string[], sent: () => Promise<unknown> = async () => {}) => {
  const done = new Promise<RoundResult>((resolve, reject) => {
    child.once('message', (m: RoundResult | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(m)));
  });
  await new Promise<void>((resolve, reject) => child.send({ url, bodies: b, concurrency: CONCURRENCY, tls } satisfies Round, (e) => (e ? reject(e) : resolve())));
  await sent();
  return done;
};
await run(warm);
const session = new Session();
session.connect();
// BENCH_PROFILE_HEAP=1: the sampling heap profiler too, counting what is collected as well as what stays.
const heap = process.env.BENCH_PROFILE_HEAP === '1';
if (heap) {
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
}
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
const result = await run(bodies, () => session.post('Profiler.start'));
const allocations = heap ? ((await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: HeapNode } }).profile.head : undefined;
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
const out = process.env.BENCH_PROFILE_OUT || join(tmpdir(), 'register.cpuprofile');
writeFileSync(out, JSON.stringify(profile));
console.log(`POST /register x ${N}, concurrency ${CONCURRENCY}: ${(N / result.seconds).toFixed(0)} req/s while profiled, failed ${result.failed}; profile in ${out}`);
summarise(profile, N);
if (allocations) summariseHeap(allocations, N);
child.disconnect();
session.disconnect();
await bare?.close();
await bank.close();
