import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTarget, describeTarget, TargetConfigError, type Target } from './target';
import { openSession, ConnectionError } from './session';
import { checks, matches } from './rules';
import { buildReport, readLines, type ReportedCheck } from './report/model';
import { junitXml } from './report/junit';
import { html } from './report/html';
import { lint } from './lint';

/** Exit codes: 0 no MUST check failed; 1 a MUST check failed (or lint found something); 2 configuration or connection error. */
const EXIT = { ok: 0, failed: 1, error: 2 } as const;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const HELP = `dcr-conformance: run the Open Banking DCR conformance pack against a bank

Usage:
  dcr-conformance [run] [--config file.json] [--target discovery-url] [--filter id-or-tag] [--report-dir dir] [-- jest args]
  dcr-conformance lint <file | -> [--aud value]... [--dn subject-dn] [--json]
  dcr-conformance --help

Options:
  --config      target configuration (JSON); DCR_* environment variables override it (see docs/conformance.md)
  --target      discovery URL (overrides discoveryUrl / DCR_DISCOVERY_URL)
  --filter      run only checks whose id starts with, or whose tags include, this (e.g. DCR-004, ssa, gap)
  --report-dir  where report.json, junit.xml and report.html go (default ./conformance-report)

Exit codes: 0 no MUST check failed, 1 a MUST check failed, 2 configuration or connection error.
`;

function fail(message: string): never {
  console.error(`dcr-conformance: ${message}`);
  process.exit(EXIT.error);
}

async function runLint(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { aud: { type: 'string', multiple: true }, dn: { type: 'string' }, json: { type: 'boolean' } } });
  const file = positionals[0];
  if (!file) fail('lint needs a file, or - for standard input');
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  const result = await lint(text, { ...(values.aud ? { audiences: values.aud } : {}), ...(values.dn ? { certificateDn: values.dn } : {}) });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`${file}: ${result.kind}, ${result.findings.length} finding(s)`);
    for (const f of result.findings) console.log(`  ${f.rule.padEnd(22)} ${f.on.padEnd(18)} ${f.detail}`);
    for (const n of result.notes) console.log(`  note: ${n}`);
  }
  return result.findings.length ? EXIT.failed : EXIT.ok;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' }, target: { type: 'string' }, filter: { type: 'string' }, 'report-dir': { type: 'string' } },
  });
  const jestArgs = positionals.filter((p) => p !== 'run');
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (values.target) env.DCR_DISCOVERY_URL = values.target;
  const configFile = values.config ? resolve(values.config) : undefined;

  let target: Target;
  try {
    target = loadTarget({ ...(configFile ? { configFile } : {}), env });
  } catch (e) {
    if (e instanceof TargetConfigError) fail(`configuration error: ${e.message}`);
    throw e;
  }
  console.log('Resolved target (secrets redacted):');
  console.log(JSON.stringify(describeTarget(target), null, 2));
  if (values.filter && !checks.some((c) => matches(c, values.filter))) fail(`configuration error: --filter ${values.filter} matches no check id or tag`);

  try {
    await openSession(target);
  } catch (e) {
    if (e instanceof ConnectionError) fail(`connection error: ${e.message}`);
    fail(`connection error: ${(e as Error).message}`);
  }

  const reportDir = resolve(values['report-dir'] ?? 'conformance-report');
  mkdirSync(reportDir, { recursive: true });
  const resultsFile = join(reportDir, '.results.jsonl');
  rmSync(resultsFile, { force: true });
  const startedAt = new Date().toISOString();

  const jestConfig = {
    rootDir: ROOT,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }] },
    testMatch: ['<rootDir>/conformance/plans/*.test.ts'],
    testTimeout: 180_000,
  };
  const jestBin = join(dirname(createRequire(import.meta.url).resolve('jest/package.json')), 'bin', 'jest.js');
  const child = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jestBin, '--config', JSON.stringify(jestConfig), '--runInBand', ...jestArgs],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...env, ...(configFile ? { DCR_CONFIG: configFile } : {}), DCR_FILTER: values.filter ?? '', DCR_RESULTS_FILE: resultsFile },
    },
  );

  const lines = readLines(resultsFile);
  rmSync(resultsFile, { force: true });
  const fatal = lines.find((l) => 'fatal' in l);
  if (fatal && 'fatal' in fatal) fail(`connection error in plan ${fatal.plan}: ${fatal.fatal}`);
  const results = lines.flatMap((l) => ('result' in l ? [l.result] : [])) as ReportedCheck[];
  if (results.length === 0) fail(`the pack produced no results (jest exited ${child.status}); see the output above`);

  const report = buildReport(results, { startedAt, finishedAt: new Date().toISOString(), target: describeTarget(target), ...(values.filter ? { filter: values.filter } : {}) });
  writeFileSync(join(reportDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(reportDir, 'junit.xml'), junitXml(report));
  writeFileSync(join(reportDir, 'report.html'), html(report));
  const k = report.counts;
  console.log(`\n${k.total} checks: ${k.pass} pass, ${k.fail} fail (MUST), ${k.warn} warn (SHOULD), ${k.skip} skipped`);
  for (const c of results.filter((r) => r.outcome === 'fail')) console.log(`  FAIL ${c.id}: ${c.message}`);
  console.log(`Reports: ${reportDir}/report.html, report.json, junit.xml`);
  return k.fail > 0 ? EXIT.failed : EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (argv[0] === 'lint') return runLint(argv.slice(1));
  return run(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => fail(`unexpected error: ${(e as Error).stack ?? String(e)}`),
);
