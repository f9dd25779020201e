/**
 * npm run bench:pack: the wall time of a whole conformance pack run against the mock bank, beside
 * its floor: the same HTTP exchanges (recorded from that run) replayed with a bare keep-alive
 * https client and nothing else. Both measured in the same process, one after the other, in a
 * fresh process per round (so keys are made as in a CLI run); the mock bank runs in a process of
 * its own. The ratio is printed whatever it is. Then one run of the CLI itself, process start-up,
 * tsx and the reports included, interleaved with a bare script replaying its requests and, when
 * DCR_COMPILED_TOOL names one (bench/compiled.ts), a compiled DCR conformance tool against the same mock.
 */
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../conformance/target';
import type { PackRoundResult } from './pack-run';
import { setting } from './settings';
import { compiledTool, compiledToolMissing, type CompiledTool } from './compiled';


const ROUNDS = Math.max(1, setting('BENCH_PACK_ROUNDS', 5, 0));
const CLI_RUNS = setting('BENCH_PACK_CLI', 3, 0);
const here = (f: string) => new URL(f, import.meta.url).pathname;

function child<T>(file: string, message?: unknown, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  return new Promise((resolve, reject) => {
    const c = fork(here(file), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
    c.once('message', (m: T | { error: string }) => {
      if (m && typeof m === 'object' && 'error' in m) reject(new Error(m.error));
      else resolve(m as T);
    });
    c.once('exit', (code) => code && reject(new Error(`${file} exited with ${code}`)));
    if (message !== undefined) c.send(message as object);
  });
}

/** The CLI as a user runs it, against the same mock: wall time from spawn to exit. */
function cli(target: Target, bin: string): Promise<{ ms: number; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'dcr-bench-pack-'));
  writeFileSync(join(dir, 'ca.pem'), target.ca ?? '');
  writeFileSync(join(dir, 'tpp.pem'), target.transport?.cert ?? '');
  writeFileSync(join(dir, 'tpp.key'), target.transport?.key ?? '');
  writeFileSync(join(dir, 'alt.pem'), target.altTransport?.cert ?? '');
  writeFileSync(join(dir, 'alt.key'), target.altTransport?.key ?? '');
  const directoryUrl = target.directory.mode === 'mock-endpoint' ? target.directory.url : undefined;
  writeFileSync(
    join(dir, 'target.json'),
    JSON.stringify({
      discoveryUrl: target.discoveryUrl,
      specVersion: target.specVersion,
      transportCert: 'tpp.pem',
      transportKey: 'tpp.key',
      altTransportCert: 'alt.pem',
      altTransportKey: 'alt.key',
      ca: 'ca.pem',
      directory: 'mock-endpoint',
      directoryUrl,
      redirectUris: target.redirectUris,
      management: true,
      authMethods: target.capabilities.authMethods,
      contentType: target.capabilities.contentType,
    }),
  );
  const started = performance.now();
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [bin, '--config', join(dir, 'target.json'), '--report-dir', join(dir, 'out')], { stdio: 'ignore' });
    c.on('exit', (code) => {
      resolve({ ms: performance.now() - started, code });
      rmSync(dir, { recursive: true, force: true });
    });
  });
}

/** The bare script, spawn to exit, replaying the recorded requests one after another. */
function bare(requestsFile: string): Promise<{ ms: number; code: number | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [here('./bare-replay.mjs'), requestsFile], { stdio: 'ignore' });
    c.on('exit', (code) => resolve({ ms: performance.now() - started, code }));
  });
}

async function main() {
  const mock = fork(here('./mock-child.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { target } = await new Promise<{ target: Target }>((resolve) => mock.once('message', resolve));
  // Fresh processes sharing a key cache (fixtures/keys.ts), as repeated CLI runs do; and one with no cache at all (the very first run).
  const cache = mkdtempSync(join(tmpdir(), 'bench-keys-'));
  const cached = { ...process.env, DCR_KEY_CACHE: cache };
  const recorded = join(cache, 'requests.json');
  await child<PackRoundResult>('./pack-run.ts', { target, recordTo: recorded }, cached);
  const rounds: PackRoundResult[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await child<PackRoundResult>('./pack-run.ts', { target }, cached));
  const cold = await child<PackRoundResult>('./pack-run.ts', { target }, { ...process.env, DCR_KEY_CACHE: 'off' });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const pack = median(rounds.map((r) => r.packMs));
  const floorMs = median(rounds.map((r) => r.floorMs));
  const last = rounds[rounds.length - 1]!;
  const outcomes = Object.entries(last.outcomes).map(([k, n]) => `${n} ${k}`).join(', ');
  const checks = Object.values(last.outcomes).reduce((a, b) => a + b, 0);
  console.log(`conformance pack against the mock bank, ${ROUNDS} round(s) (median shown): each round a fresh process, its keys read from the key cache as repeated CLI runs do (DCR_KEY_CACHE), the mock in a process of its own`);
  console.log(`  pack      : ${pack.toFixed(0)} ms wall  (${last.exchanges} exchanges, ${checks} checks: ${outcomes}; rss ${last.rssMiB.toFixed(0)} MiB)`);
  console.log(`  floor     : ${floorMs.toFixed(0)} ms wall  (the same ${last.exchanges} requests replayed in order, plans side by side as the pack ran them, with a bare keep-alive https client: no keys, no signing, no checks${last.floorFailed ? `; ${last.floorFailed} failed` : ''})`);
  console.log(`  ratio     : ${(pack / floorMs).toFixed(2)}x the floor (goal <= 1.5x)`);
  const seqMs = median(rounds.map((r) => r.seqFloorMs));
  console.log(`  sequential: ${seqMs.toFixed(0)} ms wall  (the same requests one after another, nothing side by side); the pack ${(pack / seqMs).toFixed(2)}x that`);
  console.log(`  by round  : ${rounds.map((r) => `${r.packMs.toFixed(0)}/${r.floorMs.toFixed(0)} = ${(r.packMs / r.floorMs).toFixed(2)}x`).join(', ')}`);
  console.log(`  no cache  : ${cold.packMs.toFixed(0)} ms pack / ${cold.floorMs.toFixed(0)} ms floor = ${(cold.packMs / cold.floorMs).toFixed(2)}x (the first run on a machine: every key generated, DCR_KEY_CACHE=off)`);
  const warm = median(rounds.map((r) => r.warmPackMs));
  const warmFloor = median(rounds.map((r) => r.warmFloorMs));
  console.log(`  keys made : ${warm.toFixed(0)} ms pack / ${warmFloor.toFixed(0)} ms floor = ${(warm / warmFloor).toFixed(2)}x (a second run in the same process: its keys and untrusted certificate already made)`);
  // The CLI as the published package runs it (dist/, plain JavaScript: npm run bench builds it first), against the bare
  // script replaying the requests of a fresh run one after another (a fresh node process too), interleaved; and a clone's tsx path.
  // BENCH_DIST_DIR: a build other than dist/ (DCR_DIST_DIR of scripts/build.mjs; the bench test makes its own).
  const published = process.env.BENCH_DIST_DIR ? join(process.env.BENCH_DIST_DIR, 'bin', 'dcr-conformance.js') : here('../dist/bin/dcr-conformance.js');
  if (CLI_RUNS > 0 && !existsSync(published)) console.log('  CLI       : dist/bin/dcr-conformance.js not built (npm run build): the published CLI not measured');
  else if (CLI_RUNS > 0) {
    // The compiled (Go) tool, when one is given, runs in the same rounds: CLI, bare script, compiled tool, back to back.
    const missing = compiledToolMissing();
    const go: CompiledTool | undefined = missing ? undefined : await compiledTool(target);
    const runs: Array<{ cli: number; bare: number; go?: { ms: number; code: number | null; passes: number; fails: number } }> = [];
    let codes = '';
    for (let i = 0; i < CLI_RUNS; i++) {
      const c = await cli(target, published);
      const b = await bare(recorded);
      runs.push({ cli: c.ms, bare: b.ms, ...(go ? { go: await go.run() } : {}) });
      if (c.code !== 0 || b.code !== 0) codes = `; exit ${c.code} / ${b.code}`;
    }
    go?.close();
    const cliMs = median(runs.map((r) => r.cli));
    const bareMs = median(runs.map((r) => r.bare));
    console.log(`  CLI       : ${(cliMs / 1000).toFixed(2)} s wall for the published dcr-conformance (dist/), spawn to exit (node start-up, discovery, pre-flight, reports included), median of ${CLI_RUNS}${codes}`);
    console.log(`  bare CLI  : ${(bareMs / 1000).toFixed(2)} s wall for a bare node:https script in a fresh process replaying the same ${last.exchanges} requests one after another, spawn to exit (bench/bare-replay.mjs)`);
    // Each run's pair was measured back to back: the median of their ratios moves less with the machine's load than the ratio of the medians.
    const ratios = runs.map((r) => r.cli / r.bare);
    console.log(`  CLI ratio : ${median(ratios).toFixed(2)}x the bare script, median of each run's ratio (goal <= 2x; ratio of the medians ${(cliMs / bareMs).toFixed(2)}x)  by run: ${ratios.map((x) => `${x.toFixed(2)}x`).join(', ')}`);
    if (!go) console.log(`  compiled  : skipped, ${missing}: no compiled figure`);
    else {
      const goRuns = runs.map((r) => r.go!);
      const goMs = median(goRuns.map((r) => r.ms));
      const last = goRuns[goRuns.length - 1]!;
      const goCodes = goRuns.some((r) => r.code !== 0) ? `; exit ${goRuns.map((r) => r.code).join('/')}` : '';
      console.log(`  compiled  : ${(goMs / 1000).toFixed(2)} s wall for ${process.env.DCR_COMPILED_TOOL} against the same mock, spawn to exit, median of ${CLI_RUNS} (its own bank: ${last.passes} PASS, ${last.fails} FAIL${goCodes})`);
      const goRatios = runs.map((r) => r.cli / r.go!.ms);
      console.log(`  vs compiled: the CLI ${median(goRatios).toFixed(2)}x the compiled tool, median of each run's ratio (goal <= 2x; ratio of the medians ${(cliMs / goMs).toFixed(2)}x)  by run: ${goRatios.map((x) => `${x.toFixed(2)}x`).join(', ')}`);
    }
  }
  if (CLI_RUNS > 0) {
    const r = await cli(target, here('../bin/dcr-conformance.js'));
    console.log(`  CLI (tsx) : ${(r.ms / 1000).toFixed(2)} s wall for bin/dcr-conformance.js in a clone (two node processes and tsx compiling the sources on top; exit ${r.code})`);
  }
  mock.disconnect();
  rmSync(cache, { recursive: true, force: true });
  if (rounds.some((r) => r.floorFailed || (r.outcomes.fail ?? 0) > 0)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
