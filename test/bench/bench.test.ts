import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** Runs a bench with a tiny workload (the settings given over these); answers what it printed. */
const tinyRun = (script: string, env: Record<string, string> = {}) =>
  spawnSync(join('node_modules', '.bin', 'tsx'), [script], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_N: '20', BENCH_ROUNDS: '1', BENCH_CONCURRENCY: '4', BENCH_WARMUP: '20', ...env },
    timeout: 120_000,
  });

/** npm run bench:register keeps working: a tiny run completes and prints the mock beside both baselines, and the ratios. No timing is asserted. */
test('the register bench runs end to end and reports the mock, the bare server and node-oidc-provider, and the ratios', () => {
  const r = tinyRun('bench/register.ts');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/concurrency 4:/);
  expect(r.stdout).toMatch(/mock bank {7}: +[\d.]+ req\/s {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms {2}failed 0/);
  expect(r.stdout).toMatch(/bare server {5}: +[\d.]+ req\/s .* failed 0/);
  expect(r.stdout).toMatch(/oidc-provider {3}: +[\d.]+ req\/s .* failed 0/);
  expect(r.stdout).toMatch(/vs bare {9}: [\d.]+x/);
  expect(r.stdout).toMatch(/vs oidc-provider: [\d.]+x/);
  expect(r.stdout).toMatch(/by round {8}: \d+\/\d+\/\d+ /);
}, 130_000);

/** npm run bench:token: a tiny run prints the mock's token endpoint beside the bare one, and the ratio. No timing is asserted. */
test('the token bench runs end to end and reports the mock beside a bare token endpoint, and the ratio', () => {
  const r = tinyRun('bench/token.ts');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/mock bank {2}: +[\d.]+ req\/s .* failed 0/);
  expect(r.stdout).toMatch(/bare server: +[\d.]+ req\/s .* failed 0/);
  expect(r.stdout).toMatch(/vs bare {4}: [\d.]+x/);
}, 130_000);

/**
 * npm run bench:profile: a tiny run of the mock and one of the bare server, with the allocation
 * count on, each prints its time per request by file and function and its bytes per request.
 * No timing or size is asserted.
 */
test.each([
  ['the mock', {}, /mock-server\//],
  ['the bare server', { BENCH_PROFILE_TARGET: 'bare' }, /bench\/bare/],
])('the profile bench profiles %s under load, by time per request and by bytes allocated', (_name, env, own) => {
  const out = join(tmpdir(), `bench-profile-${process.pid}-${Object.keys(env).length}.cpuprofile`);
  const r = tinyRun('bench/profile.ts', { ...env, BENCH_PROFILE_HEAP: '1', BENCH_PROFILE_OUT: out });
  rmSync(out, { force: true });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/POST \/register x 20, concurrency 4: \d+ req\/s while profiled, failed 0/);
  expect(r.stdout).toMatch(/busy: \d+ ms of \d+ ms recorded .*, \d+ us per request on the main thread/);
  expect(r.stdout).toMatch(/ +[\d.]+% +[\d.]+ us\/req {2}\S/);
  expect(r.stdout).toMatch(/allocated: +[\d.]+ KB\/req in all/);
  expect(r.stdout).toMatch(own);
}, 130_000);

/** bench/verify-cache.mjs: a tiny run prints the verification alone, then with each churn beside it as a ratio. No timing is asserted. */
test('the verify-cache bench prints one verification alone and after each churn, as ratios to it', () => {
  const r = spawnSync(process.execPath, ['bench/verify-cache.mjs'], { encoding: 'utf8', env: { ...process.env, BENCH_VERIFY_N: '20', BENCH_CHURN_MIB: '1,2' }, timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/PS256 verify \(RSA 2048\): [\d.]+ us alone/);
  for (const mib of [1, 2]) expect(r.stdout).toMatch(new RegExp(`\\s${mib} MiB touched between verifications: [\\d.]+ us, [\\d.]+x the baseline`));
}, 70_000);

/** npm run bench:memory: a tiny run prints RSS and throughput at each size, and the RSS per client. No timing or size is asserted. */
test('the memory bench runs end to end and reports RSS per client and the throughput at each size against none', () => {
  const r = tinyRun('bench/memory.ts', { BENCH_MEMORY_CLIENTS: '200' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  for (const n of [0, 100, 200, 300]) expect(r.stdout).toMatch(new RegExp(`\\s${n} live: RSS +\\d+ MiB {2}register +\\d+ req/s {2}vs bare [\\d.]+x {2}against 0 live: [\\d.]+`));
  expect(r.stdout).toMatch(/RSS per client: -?[\d.]+ KB at \d+ live clients/);
}, 130_000);

test('a setting that is not a positive whole number stops the bench with exit 2, naming it', () => {
  const r = spawnSync(join('node_modules', '.bin', 'tsx'), ['bench/register.ts'], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_ROUNDS: '0' },
    timeout: 60_000,
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^BENCH_ROUNDS="0": expected a positive whole number/);
});

/** npm run bench:pack: a tiny run completes and prints the pack, its floor and their ratio. No timing is asserted. */
test('the pack bench runs end to end and prints the pack beside its floor, and the ratio', () => {
  const r = spawnSync(join('node_modules', '.bin', 'tsx'), ['bench/pack.ts'], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_PACK_ROUNDS: '1', BENCH_PACK_CLI: '0' },
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/pack {6}: \d+ ms wall {2}\(\d+ exchanges, \d+ checks: \d+ pass/);
  expect(r.stdout).toMatch(/floor {5}: \d+ ms wall/);
  expect(r.stdout).toMatch(/ratio {5}: [\d.]+x the floor/);
  expect(r.stdout).toMatch(/sequential: \d+ ms wall {2}\(the same requests one after another, nothing side by side\); the pack [\d.]+x that/);
}, 130_000);

/** npm run bench:startup: a tiny run prints the mock's warm start beside a bare https server's, and the ratio. No timing is asserted. */
test('the start-up bench prints the warm start beside a bare https server started the same way, and the ratio', () => {
  // The published bin, built for this test alone: dist/ may be missing on a fresh clone, or rebuilt meanwhile by
  // the package test (test/package/consumer.test.ts runs npm run build, which empties dist/ first).
  const out = join('node_modules', '.cache', `dcr-bench-dist-${process.pid}`);
  try {
    const build = spawnSync(process.execPath, [join('scripts', 'build.mjs')], { encoding: 'utf8', env: { ...process.env, DCR_DIST_DIR: out }, timeout: 120_000 });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const r = spawnSync(join('node_modules', '.bin', 'tsx'), ['bench/startup.ts'], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_STARTUP_ROUNDS: '1', BENCH_DIST_DIR: out },
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/published bin: \d+ ms wall, \d+ ms CPU {2}ratio to bare: [\d.]+x wall, [\d.]+x CPU/);
    expect(r.stdout).toMatch(/bare https {2}: \d+ ms wall/);
    expect(r.stdout).toMatch(/requests hung during start-up: 0\n/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 250_000);

/** The bare script the CLI is compared with replays the recorded requests one after another, certificate and body each, and says when one failed. */
test('bench/bare-replay.mjs sends every recorded request in order, with its client certificate and body, and exits 1 when one fails', async () => {
  const { generateBundle } = await import('../../mock-server/tls/certs');
  const https = await import('node:https');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { spawn } = await import('node:child_process');
  const b = await generateBundle();
  const seen: string[] = [];
  const server = https.createServer({ key: b.server.key, cert: b.server.cert, ca: b.ca.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      seen.push(`${req.method} ${req.url} ${peer && 'subject' in peer && peer.subject ? 'cert' : 'none'} ${Buffer.concat(chunks).toString()}`);
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `https://localhost:${(server.address() as import('node:net').AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'bare-replay-'));
  const run = (requests: unknown[]) => {
    writeFileSync(join(dir, 'r.json'), JSON.stringify(requests));
    return new Promise<number | null>((resolve) => spawn(process.execPath, [join('bench', 'bare-replay.mjs'), join(dir, 'r.json')], { stdio: 'ignore' }).on('exit', resolve));
  };
  try {
    const client = { cert: b.tpp.cert, key: b.tpp.key };
    const code = await run([
      { name: 'a', method: 'GET', url: `${base}/one`, headers: {}, ca: b.ca.cert },
      { name: 'b', method: 'POST', url: `${base}/two`, headers: { 'content-type': 'text/plain' }, body: 'hello', client, ca: b.ca.cert },
      { name: 'c', method: 'DELETE', url: `${base}/three`, headers: {}, client, ca: b.ca.cert },
    ]);
    expect(code).toBe(0);
    expect(seen).toEqual(['GET /one none ', 'POST /two cert hello', 'DELETE /three cert ']);
    expect(await run([{ name: 'x', method: 'GET', url: 'https://localhost:1/', headers: {} }])).toBe(1);
  } finally {
    server.close();
  }
}, 60_000);
