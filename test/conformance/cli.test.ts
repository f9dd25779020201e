import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import type { Report } from '../../conformance/report/model';

const BIN = new URL('../../bin/dcr-conformance.js', import.meta.url).pathname;

/** Runs the CLI asynchronously: the mock lives in this process and must keep answering. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 2) : 0, out: `${stdout}${stderr}` });
    });
  });
}

let bank: MockBank;
let faulty: MockBank;
let dir: string;

function config(b: MockBank, name: string): string {
  writeFileSync(join(dir, 'ca.pem'), b.ca);
  writeFileSync(join(dir, 'tpp.pem'), b.tpp.cert);
  writeFileSync(join(dir, 'tpp.key'), b.tpp.key);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ discoveryUrl: `${b.url}/.well-known/openid-configuration`, transportCert: 'tpp.pem', transportKey: 'tpp.key', ca: 'ca.pem', directoryUrl: b.urls.directory, management: false }));
  return file;
}

beforeAll(async () => {
  bank = await startMockBank();
  faulty = await startMockBank({ certs: bank.certs, faults: ['REQ-EXP'] });
  dir = mkdtempSync(join(tmpdir(), 'dcr-cli-'));
}, 60_000);
afterAll(async () => {
  await bank.close();
  await faulty.close();
});

test('--help prints usage and exits 0', async () => {
  const r = await cli(['--help']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/--report-dir/);
  expect(r.out).toMatch(/--jwks-host-url/);
  expect(r.out).toMatch(/--jwks-host-bind/);
  expect(r.out).toMatch(/BLOCKED/);
});

test('a conforming bank: exit 0, the three reports written, secrets not printed', async () => {
  const reports = join(dir, 'ok');
  const r = await cli(['--config', config(bank, 'ok.json'), '--filter', 'DCR-004', '--report-dir', reports]);
  expect(r.code).toBe(0);
  expect(r.out).not.toMatch(/PRIVATE KEY/);
  const report = JSON.parse(readFileSync(join(reports, 'report.json'), 'utf8')) as Report;
  expect(report.checks.map((c) => c.id).sort()).toEqual(['DCR-004-EXP', 'DCR-004-ISS-EMPTY', 'DCR-004-ISS-INVALID', 'DCR-004-ISS-LONG', 'DCR-004-RS256']);
  expect(report.checks.every((c) => c.outcome === 'pass' && c.links.length > 0)).toBe(true);
  expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).toMatch(/<testcase classname="dcr-conformance.registration" name="DCR-004-EXP /);
  expect(readFileSync(join(reports, 'report.html'), 'utf8')).toMatch(/5 pass/);
  expect(report.sweep.map((g) => [g.exchange, g.counts])).toEqual([['POST /register', { pass: 5 }]]);
}, 120_000);

test('a bank that accepts an expired request: exit 1 and the failure with its evidence in the HTML', async () => {
  const reports = join(dir, 'fail');
  const r = await cli(['--config', config(faulty, 'fail.json'), '--filter', 'DCR-004-EXP', '--report-dir', reports]);
  expect(r.code).toBe(1);
  // One line per check (outcome, id, one-line reason), no Jest frames or stack traces.
  expect(r.out).toMatch(/^ {2}FAIL {4}DCR-004-EXP +expected 400, got 201/m);
  // The sweep summary: the accepted exchange, its rows' outcomes, and the row that failed by element and change.
  expect(r.out).toContain('One-change sweep, by accepted exchange:\n  POST /register: 1 row: 1 fail\n    claim.exp in the past: FAIL DCR-004-EXP');
  expect(r.out).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.out).toMatch(/Pre-flight:\n {2}discovery: 200/);
  const page = readFileSync(join(reports, 'report.html'), 'utf8');
  expect(page).toMatch(/DCR-004-EXP/);
  expect(page).toMatch(/expected 400, got 201/);
  expect(page).toContain('https://www.rfc-editor.org/rfc/rfc7519#section-4.1');
}, 120_000);

test('configuration and connection errors exit 2 with the field or the cause named', async () => {
  const file = config(bank, 'err.json');
  const bad = await cli(['--config', file], { DCR_SPEC_VERSION: '4.0' });
  expect(bad.code).toBe(2);
  expect(bad.out).toMatch(/DCR_SPEC_VERSION: must be one of 3.1, 3.2, 3.3/);
  const down = await cli(['--config', file, '--target', 'https://127.0.0.1:1/.well-known/openid-configuration', '--report-dir', join(dir, 'down')]);
  expect(down.code).toBe(2);
  expect(down.out).toMatch(/connection error: .*ECONNREFUSED/);
  expect(existsSync(join(dir, 'down', 'report.json'))).toBe(false);
}, 60_000);

test('lint prints every finding with its rule id and exits 1', async () => {
  const r = await cli(['lint', new URL('../../fixtures/seeds/004-dedicated-request.jwt', import.meta.url).pathname]);
  expect(r.code).toBe(1);
  for (const rule of ['SSA-ALG', 'REQ-EXP', 'REQ-REDIRECT-HTTPS', 'REQ-SCOPE-ROLES']) expect(r.out).toContain(rule);
});

test('lint --json carries each finding\'s spec sentences; --spec-version takes 3.1, 3.2 or 3.3 only', async () => {
  const seed = new URL('../../fixtures/seeds/002-wso2-request-ob.jwt', import.meta.url).pathname;
  const r = await cli(['lint', seed, '--spec-version', '3.1', '--json']);
  expect(r.code).toBe(1);
  const result = JSON.parse(r.out) as { findings: Array<{ rule: string; spec: Array<{ ref: string; text: string }> }> };
  // v3.1: the 22-character iss is too long and scope is an array there.
  expect(result.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['REQ-ISS-FORMAT', 'REQ-SCOPE-FORMAT']));
  expect(result.findings.find((f) => f.rule === 'REQ-ISS-FORMAT')?.spec[0]?.ref).toBe('OBDCR-REQ');
  const bad = await cli(['lint', seed, '--spec-version', '4']);
  expect(bad.code).toBe(2);
  expect(bad.out).toMatch(/--spec-version "4" is not 3.1, 3.2 or 3.3/);
});
