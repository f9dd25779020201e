/**
 * npm run bench:profile: where the mock's CPU goes on POST /register under load. The bank runs in
 * this process; the requests are signed first, then the V8 profiler (node:inspector) records only
 * while the load generator (a child process, bench/load.ts) sends them. Prints the self time by
 * function and by file (package, or the mock's own module), as shares of the recorded samples, and
 * writes the .cpuprofile (BENCH_PROFILE_OUT, default register.cpuprofile in the temp directory)
 * for Chrome DevTools.
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

function summarise(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const s of profile.samples) self.set(s, (self.get(s) ?? 0) + 1);
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((a, n) => a + (self.get(n.id) ?? 0), 0);
  const busy = profile.samples.length - idle;
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, count] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName;
    if (name === '(idle)') continue;
    const where = fileOf(n.callFrame.url);
    const key = `${name || '(anonymous)'}  ${where}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + count);
    file.set(where, (file.get(where) ?? 0) + count);
  }
  const pct = (c: number) => `${((c / busy) * 100).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  console.log(`busy samples: ${busy} of ${profile.samples.length} (the rest idle)`);
  console.log('self time by file:');
  for (const [k, c] of top(file, 20)) console.log(`  ${pct(c)}  ${k}`);
  console.log('self time by function:');
  for (const [k, c] of top(fn, TOP)) console.log(`  ${pct(c)}  ${k}`);
}

const bank = await startMockBank({ logLevel: 'silent' });
const tpp = await createTpp(bank);
const sign = () => tpp.sign(tpp.claims());
const warm = await Promise.all(Array.from({ length: WARMUP }, sign));
const bodies = await Promise.all(Array.from({ length: N }, sign));
const child = fork(new URL('./load.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
const tls = { ca: bank.ca, cert: bank.tpp.cert, key: bank.tpp.key };
const url = `https://127.0.0.1:${bank.port}/register`;
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
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
const result = await run(bodies, () => session.post('Profiler.start'));
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
const out = process.env.BENCH_PROFILE_OUT || join(tmpdir(), 'register.cpuprofile');
writeFileSync(out, JSON.stringify(profile));
console.log(`POST /register x ${N}, concurrency ${CONCURRENCY}: ${(N / result.seconds).toFixed(0)} req/s while profiled, failed ${result.failed}; profile in ${out}`);
summarise(profile);
child.disconnect();
session.disconnect();
await bank.close();
