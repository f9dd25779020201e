/**
 * The published package, as a consumer gets it: `npm run build`, `npm pack`, then a fresh project
 * in a temporary directory installs the tarball offline and uses both commands, the library (from
 * a plain .mjs script), the Jest entry and the TypeScript declarations.
 *
 * Offline install: the consumer's node_modules is first given a copy of the package's runtime
 * dependency closure, walked from package.json through each dependency's own package.json in this
 * repository's node_modules (what `npm ci` installed). `npm install --offline <tarball>` then finds
 * every dependency already satisfied and only unpacks the tarball; an empty cache and an
 * unreachable registry make sure nothing is fetched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { createServer } from 'node:net';
import { httpsRequest } from '../../fixtures/https';

const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The environment of every child: no npm_* settings inherited from `npm test`, an empty cache, no registry. */
function childEnv(work: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return {
    ...env,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function must(r: Run, what: string): Run {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Copies the runtime dependency closure of this package from the repository's node_modules. */
function copyDependencies(consumer: string): string[] {
  const found = new Set<string>();
  const locate = (name: string, from: string): string | undefined => {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      if (dir === ROOT || dir === dirname(dir)) return undefined;
    }
  };
  const visit = (name: string, from: string, optional: boolean) => {
    const dir = locate(name, from);
    if (!dir) {
      if (optional) return;
      throw new Error(`dependency ${name} (needed from ${relative(ROOT, from) || 'the package'}) is not installed: run npm ci`);
    }
    if (found.has(dir)) return;
    found.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const d of Object.keys(pkg.dependencies ?? {})) visit(d, dir, false);
    for (const d of Object.keys(pkg.optionalDependencies ?? {})) visit(d, dir, true);
    for (const d of Object.keys(pkg.peerDependencies ?? {})) visit(d, dir, true);
  };
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  for (const d of Object.keys(root.dependencies ?? {})) visit(d, ROOT, false);
  for (const d of Object.keys(root.peerDependencies ?? {})) visit(d, ROOT, true);
  const dirs = [...found].sort();
  for (const dir of dirs) {
    if (dirs.some((outer) => outer !== dir && dir.startsWith(outer + sep))) continue; // copied with its parent
    cpSync(dir, join(consumer, relative(ROOT, dir)), { recursive: true });
  }
  return dirs.map((d) => relative(ROOT, d));
}

/** Starts a long-running child; resolves once a stdout line matches. */
function startUntil(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, ready: (line: string) => boolean) {
  // Its own process group: npx runs the command as a grandchild, and the signal must reach it too.
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const line = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: not ready within 30 s\n${out}`)), 30_000);
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      buffer += c;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      const hit = lines.find(ready);
      if (hit !== undefined) {
        clearTimeout(timer);
        resolve(hit);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited ${code} before it was ready\n${out}`));
    });
  });
  return { child, line, output: () => out };
}

/** SIGTERM to the child's process group; resolves with how the child ended. */
function stop(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => signal('SIGKILL'), 10_000);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig });
    });
    signal('SIGTERM');
  });
}

let work: string;
let consumer: string;
let env: NodeJS.ProcessEnv;
let packed: string[];
const children: ChildProcess[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dcr-package-'));
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  env = childEnv(work);
  // The build and the pack run from this repository, never from a dist/ left over.
  must(await run('npm', ['run', 'build'], ROOT, env, 120_000), 'npm run build');
  const pack = must(await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT, env), 'npm pack');
  const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = info!.files.map((f) => f.path);
  const tarball = join(work, info!.filename);

  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  copyDependencies(consumer);
  must(await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], consumer, env, 120_000), 'npm install --offline');
}, 180_000);

afterAll(async () => {
  await Promise.all(children.map(stop));
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds dist/, the README and the docs: no sources, tests, certificates or walkthrough output', () => {
  expect(packed).toContain('dist/index.js');
  expect(packed).toContain('dist/index.d.ts');
  expect(packed).toContain('dist/jest.js');
  expect(packed).toContain('dist/bin/dcr-mockbank.js');
  expect(packed).toContain('dist/bin/dcr-conformance.js');
  // The mock bank's command as one CommonJS bundle (Express in it), with the licences of what it bundles.
  expect(packed).toContain('dist/cli/dcr-mockbank.cjs');
  expect(packed).toContain('dist/cli/THIRD-PARTY-LICENSES.txt');
  expect(packed).toContain('dist/ui/index.html'); // the dashboard, read at run time
  expect(packed).toContain('README.md');
  const stray = packed.filter((p) => !/^(dist\/|docs\/|README\.md$|package\.json$)/.test(p));
  expect(stray).toEqual([]);
  expect(packed.filter((p) => /\.(ts|jwt|pem|key)$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
});

test('installed offline: both commands are linked, the package declares what it runs on', () => {
  const bin = readdirSync(join(consumer, 'node_modules', '.bin'));
  expect(bin).toEqual(expect.arrayContaining(['dcr-mockbank', 'dcr-conformance']));
  const pkg = JSON.parse(readFileSync(join(consumer, 'node_modules', 'dcr-mockbank', 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  expect(Object.keys(pkg.dependencies!)).not.toContain('tsx');
  expect(readFileSync(join(consumer, 'node_modules', 'dcr-mockbank', 'dist', 'bin', 'dcr-mockbank.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
});

test.each([
  [['dcr-mockbank', '--help'], /^Usage: npx dcr-mockbank/],
  [['dcr-mockbank', 'mint-ssa', '--help'], /mint-ssa options:/],
  [['dcr-mockbank', 'sign-request', '--help'], /sign-request options:/],
  [['dcr-mockbank', 'certs', '--help'], /^Usage: npm run certs/],
  [['dcr-conformance', '--help'], /^dcr-conformance: run the Open Banking DCR conformance pack/],
])('npx %j: usage on stdout, exit 0, nothing written', async (args, usage) => {
  const cwd = mkdtempSync(join(consumer, 'help-')); // inside the consumer project, whose node_modules/.bin npx uses
  const r = await run('npx', [...args], cwd, env);
  expect(r).toMatchObject({ code: 0 });
  expect(r.stdout).toMatch(usage);
  expect(readdirSync(cwd)).toEqual([]);
}, 60_000);

test('npx dcr-mockbank --port 0 starts, answers discovery over HTTPS with its CA, and stops on SIGTERM', async () => {
  const codeCache = join(work, 'mock-code-cache');
  const server = startUntil('npx', ['dcr-mockbank', '--port', '0', '--certs-dir', 'cli-certs'], consumer, { ...env, DCR_KEY_CACHE: codeCache }, (l) => l.includes('"mock bank listening"'));
  children.push(server.child);
  const entry = JSON.parse(await server.line) as { url: string; discovery: string };
  const res = await httpsRequest(entry.discovery, { ca: readFileSync(join(consumer, 'cli-certs', 'ca.pem'), 'utf8') });
  expect(res.status).toBe(200);
  expect((res.json as { issuer: string }).issuer).toBe(entry.url);
  // npm itself ends by the signal; the mock bank under it shuts down and the port closes.
  const ended = await stop(server.child);
  expect(ended.code === 0 || ended.signal === 'SIGTERM').toBe(true);
  await new Promise((r) => setTimeout(r, 300));
  expect(server.output()).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
  await expect(httpsRequest(entry.discovery, { insecure: true, timeoutMs: 3000 })).rejects.toThrow();
  // Its V8 code cache was written at exit, in the key cache, for the next start (common/code-cache.ts).
  expect(readdirSync(codeCache).filter((f) => /^code-[0-9a-f]{32}\.v8$/.test(f))).toHaveLength(1);
}, 60_000);

test('a plain .mjs script starts the mock from the package (no certs/ written); npx dcr-conformance runs the pack against it: exit 0 and the three reports', async () => {
  writeFileSync(
    join(consumer, 'mock.mjs'),
    `import { writeFileSync, existsSync } from 'node:fs';
import { startMockBank } from 'dcr-mockbank';

const bank = await startMockBank();
if (existsSync('certs')) throw new Error('startMockBank() wrote ./certs');
writeFileSync('ca.pem', bank.ca);
writeFileSync('tpp.pem', bank.tpp.cert);
writeFileSync('tpp.key', bank.tpp.key);
writeFileSync('alt.pem', bank.altTpp.cert);
writeFileSync('alt.key', bank.altTpp.key);
writeFileSync('t.json', JSON.stringify({
  discoveryUrl: bank.url + '/.well-known/openid-configuration',
  transportCert: 'tpp.pem', transportKey: 'tpp.key', altTransportCert: 'alt.pem', altTransportKey: 'alt.key', ca: 'ca.pem',
  directory: 'mock-endpoint',
}));
console.log('ready ' + bank.url);
process.on('SIGTERM', () => bank.close().then(() => process.exit(0)));
`,
  );
  const mock = startUntil('node', ['mock.mjs'], consumer, env, (l) => l.startsWith('ready '));
  children.push(mock.child);
  await mock.line;
  expect(existsSync(join(consumer, 'certs'))).toBe(false);

  const r = await run('npx', ['dcr-conformance', '--config', 't.json', '--report-dir', 'out'], consumer, env, 120_000);
  expect({ code: r.code, tail: r.stdout.split('\n').slice(-4).join('\n') }).toMatchObject({ code: 0, tail: expect.stringMatching(/checks: \d+ pass, 0 fail/) });
  const report = JSON.parse(readFileSync(join(consumer, 'out', 'report.json'), 'utf8')) as { counts: { total: number; pass: number } };
  expect(report.counts.total).toBeGreaterThan(100);
  expect(readFileSync(join(consumer, 'out', 'junit.xml'), 'utf8')).toMatch(/<testsuites/);
  expect(readFileSync(join(consumer, 'out', 'report.html'), 'utf8')).toMatch(/<html/i);
  expect(await stop(mock.child)).toEqual({ code: 0, signal: null });
  expect(existsSync(join(consumer, 'certs'))).toBe(false);
}, 120_000);

test('dcr-mockbank/jest in the consumer\'s own Jest run: each check a test named by its id, the README\'s target file form and a target function', async () => {
  mkdirSync(join(consumer, 'jest-suite'));
  writeFileSync(
    join(consumer, 'jest-suite', 'bank.conformance.test.mjs'),
    `import { writeFileSync } from 'node:fs';
import { startMockBank } from 'dcr-mockbank';
import { runConformanceInJest, mockTarget } from 'dcr-mockbank/jest';

let bank;
beforeAll(async () => {
  bank = await startMockBank();
  writeFileSync('jest-ca.pem', bank.ca);
  writeFileSync('jest-tpp.pem', bank.tpp.cert);
  writeFileSync('jest-tpp.key', bank.tpp.key);
  writeFileSync('jest-target.json', JSON.stringify({ discoveryUrl: bank.url + '/.well-known/openid-configuration', transportCert: 'jest-tpp.pem', transportKey: 'jest-tpp.key', ca: 'jest-ca.pem', directory: 'mock-endpoint' }));
});
afterAll(() => bank.close());

runConformanceInJest({ target: 'jest-target.json', filter: 'DCR-004' });
runConformanceInJest({ target: () => mockTarget(bank), plans: ['discovery'] });
`,
  );
  writeFileSync(join(consumer, 'jest-suite', 'jest.config.json'), JSON.stringify({ testEnvironment: 'node', transform: {}, testMatch: ['**/*.test.mjs'] }));
  // This repository's Jest binary, in its ESM mode; the test file resolves dcr-mockbank from the consumer.
  const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const r = await run(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jest, '--config', 'jest-suite/jest.config.json', '--rootDir', 'jest-suite', '--json', '--ci'], consumer, env, 120_000);
  expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const result = JSON.parse(r.stdout) as { numPassedTests: number; numFailedTests: number; testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }> };
  const tests = result.testResults.flatMap((f) => f.assertionResults).filter((t) => t.status !== 'pending');
  expect(result.numFailedTests).toBe(0);
  expect(tests.filter((t) => t.title.startsWith('DCR-004-')).length).toBeGreaterThanOrEqual(5);
  expect(tests.filter((t) => t.title.startsWith('DISC')).length).toBeGreaterThan(0);
  expect(tests.every((t) => t.status === 'passed' && /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)* \S/.test(t.title))).toBe(true);
}, 120_000);

test('a TypeScript consumer importing startMockBank and the Jest entry type-checks (tsc --noEmit, NodeNext, no skipLibCheck)', async () => {
  writeFileSync(
    join(consumer, 'consumer.ts'),
    `import { startMockBank, type MockBank, type StartOptions } from 'dcr-mockbank';
import { runConformanceInJest, mockTarget, type Target } from 'dcr-mockbank/jest';

const options: StartOptions = { profile: 'obie', logLevel: 'silent' };
const bank: MockBank = await startMockBank(options);
const url: string = bank.url;
const target: Target = mockTarget(bank);
export const register = () => runConformanceInJest({ target: () => target, filter: 'DCR-004' });
console.log(url, bank.tpp.dn);
await bank.close();
`,
  );
  writeFileSync(join(consumer, 'wrong.ts'), `import { startMockBank } from 'dcr-mockbank';\nexport const port: string = (await startMockBank()).port;\n`);
  const tsconfig = (files: string[]) => JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files });
  writeFileSync(join(consumer, 'tsconfig.json'), tsconfig(['consumer.ts']));
  const ok = await run(process.execPath, [TSC, '-p', '.', '--noEmit'], consumer, env);
  expect(ok).toMatchObject({ code: 0, stdout: '' });
  // The declarations carry real types, not any: a wrong one is an error.
  writeFileSync(join(consumer, 'tsconfig.json'), tsconfig(['wrong.ts']));
  const wrong = await run(process.execPath, [TSC, '-p', '.', '--noEmit'], consumer, env);
  expect(wrong.code).not.toBe(0);
  expect(wrong.stdout).toMatch(/wrong\.ts.*Type 'number' is not assignable to type 'string'/);
}, 60_000);

test('the Dockerfile: its CMD is the built entry point, and its HEALTHCHECK passes against it started as the image does (HOST=0.0.0.0)', async () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
  const health = JSON.parse(/^HEALTHCHECK .*?CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/^EXPOSE 8443$/m);
  expect(cmd[0]).toBe('node');
  expect(existsSync(join(ROOT, cmd[1]!))).toBe(true);

  const certs = mkdtempSync(join(work, 'docker-certs-'));
  // PORT 0 here (the image uses 8443): the healthcheck reads the same PORT, so it is given the one chosen.
  const server = startUntil(cmd[0]!, cmd.slice(1), ROOT, { ...env, NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '0', CERTS_DIR: certs }, (l) => l.includes('"mock bank listening"'));
  children.push(server.child);
  const entry = JSON.parse(await server.line) as { bind: string };
  const port = entry.bind.split(':').pop()!;
  expect(entry.bind).toBe(`0.0.0.0:${port}`);
  const check = await run(health[0]!, health.slice(1), ROOT, { ...env, PORT: port });
  expect(check.code).toBe(0);
  expect(await stop(server.child)).toEqual({ code: 0, signal: null });
  const down = await run(health[0]!, health.slice(1), ROOT, { ...env, PORT: port });
  expect(down.code).toBe(1);
}, 60_000);

/** The `run:` commands and `run: |` blocks of a workflow's steps, by step name (commented-out steps are not steps). */
function workflowRuns(yaml: string): Array<{ name: string; run: string }> {
  const lines = yaml.split('\n');
  const out: Array<{ name: string; run: string }> = [];
  let name = '';
  for (let i = 0; i < lines.length; i++) {
    const step = /^\s*- name: "?(.*?)"?$/.exec(lines[i]!);
    if (step) name = step[1]!;
    const single = /^\s*run: (?!\|)(.+)$/.exec(lines[i]!);
    if (single) out.push({ name, run: single[1]! });
    const run = /^(\s*)run: \|$/.exec(lines[i]!);
    if (!run) continue;
    const indent = run[1]!.length;
    const body: string[] = [];
    for (i++; i < lines.length && (lines[i]!.trim() === '' || lines[i]!.search(/\S/) > indent); i++) body.push(lines[i]!);
    i--;
    const strip = Math.min(...body.filter((l) => l.trim()).map((l) => l.search(/\S/)));
    out.push({ name, run: body.map((l) => l.slice(strip)).join('\n') });
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

test('docs/ci/github-actions.yml: its steps, run as written in the consumer project, start the mock, gate on the pack and leave junit.xml for the reporter', async () => {
  const yaml = readFileSync(join(ROOT, 'docs', 'ci', 'github-actions.yml'), 'utf8');
  expect(yaml).toMatch(/uses: actions\/upload-artifact@v\d/);
  expect(yaml).toMatch(/report_paths: conformance-report\/junit\.xml/);
  const steps = workflowRuns(yaml).filter((s) => !/^Install/.test(s.name));
  expect(steps.map((s) => s.name)).toEqual(['A. Start the mock bank', 'A. Target configuration: the mock bank', 'Run the conformance pack']);
  const cwd = mkdtempSync(join(consumer, 'workflow-'));
  const script = ['set -e', ...steps.map((s) => s.run)].join('\n');
  // bash in its own process group, so the mock it leaves in the background is stopped with it.
  const job = spawn('bash', ['-c', script], { cwd, env: { ...env, MOCK_PORT: String(await freePort()) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(job);
  let out = '';
  job.stdout!.on('data', (c: Buffer) => (out += c));
  job.stderr!.on('data', (c: Buffer) => (out += c));
  const code = await new Promise<number | null>((resolve) => job.once('exit', resolve));
  try {
    process.kill(-job.pid!, 'SIGTERM');
  } catch {
    // nothing left
  }
  expect({ code, tail: out.split('\n').slice(-4).join('\n') }).toMatchObject({ code: 0, tail: expect.stringMatching(/checks: \d+ pass, 0 fail/) });
  expect(readFileSync(join(cwd, 'conformance-report', 'junit.xml'), 'utf8')).toMatch(/<testcase /);
}, 120_000);
