import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTarget, describeTarget, TargetConfigError, type Target } from './target';
import { ConnectionError } from './session';
import { checks, matches } from './rules';
import { quoteLine, type Outcome } from './rules/define';
import { openCheckedSession, PreflightError, runWithSession } from './runner';
import { buildReport, exitCode, type ReportedCheck, type RootCause } from './report/model';
import { sweepCounts, sweepMisses } from './report/sweep';
import { junitXml } from './report/junit';
import { html } from './report/html';
import { lint } from './lint';
import { isSpecVersion } from './lint-rules';
import { DIALECTS, isDialect } from './dialects';

/** Exit codes: 0 no MUST check failed or was blocked; 1 a MUST check failed or was blocked (or lint found something); 2 configuration, connection or pre-flight error, or the bank stopped answering. */
const EXIT = { ok: 0, failed: 1, error: 2 } as const;

const HELP = `dcr-conformance: run the Open Banking DCR conformance pack against a bank

Usage (npx dcr-conformance ... from the npm package; npm run conformance -- ... in a clone):
  dcr-conformance [run] [--config file.json] [--target discovery-url] [--dialect obie|rfc7591|cdr|obf] [--filter id-or-tag]
                  [--report-dir dir] [--jwks-host-url https-origin] [--jwks-host-bind host:port] [--verbose]
  dcr-conformance lint <file | -> [--aud value]... [--dn subject-dn] [--spec-version 3.1|3.2|3.3] [--json]
  dcr-conformance --help

Options:
  --config      target configuration (JSON); DCR_* environment variables override it (see docs/conformance.md)
  --target      discovery URL (overrides discoveryUrl / DCR_DISCOVERY_URL); with directory "mock-endpoint"
                and no directoryUrl, the mock directory (its origin + /directory) follows it
  --dialect     the DCR dialect the bank speaks (overrides dialect / DCR_DIALECT; default obie):
                  obie     ${DIALECTS.obie.title}
                  rfc7591  ${DIALECTS.rfc7591.title}
                  cdr      ${DIALECTS.cdr.title}
                  obf      ${DIALECTS.obf.title}
                checks of the other dialects are reported N/A (not applicable), never run, passed or failed;
                an rfc7591 target needs no SSA and no client certificate (initialAccessToken /
                DCR_INITIAL_ACCESS_TOKEN when the registration endpoint requires one); a cdr target takes its
                SSAs from the CDR Register: directory "mock-endpoint" (the mock Register, default the bank's
                origin + /cdr-register/v1), "local-key" (signed here with the Register key, iss cdr-register)
                or "given"; an obf target gives an OBF transport certificate (its UID is the software_id,
                organizationIdentifier OFBBR-<org_id>) and a directory that mints (directoryUrl: the mock's
                https://localhost:8443/obf-directory), as the bank refuses statements older than 5 minutes
  --filter      run only checks whose id starts with, or whose tags include, this (e.g. DCR-004, ssa, gap)
  --report-dir  where report.json, junit.xml and report.html go (default ./conformance-report)
  --jwks-host-url   the origin the bank reaches the pack's own JWKS host by (jwksHostUrl / DCR_JWKS_HOST_URL):
                the host SSA-JWKS-OTHER-HOST and SSA-JKU name, to see whether the bank fetches keys off the
                directory; default https://127.0.0.1:<ephemeral port>, for a bank on this machine
  --jwks-host-bind  where that host listens (jwksHostBind / DCR_JWKS_HOST_BIND), default 127.0.0.1 and the
                port of --jwks-host-url (else ephemeral); e.g. 0.0.0.0:8443 for a bank on another machine
  --verbose     print the spec sentence, spec links and evidence of every check that did not pass

Outcomes: PASS, FAIL (a MUST rule broken), WARN (a SHOULD rule broken), SKIP (declared by the target),
BLOCKED (its positive control, the same request with one change, was not accepted: not judged),
N/A (the check is of another dialect than the target's: not run; it neither passes nor fails the run).
After the checks, the root causes: each refused exchange that blocked others, with a hint.

Exit codes: 0 no MUST check failed or was blocked; 1 a MUST check failed or was blocked;
2 configuration, connection or pre-flight error (e.g. the bank does not trust the transport
certificate), or the bank stopped answering (the reports are then still written).

Environment: DCR_KEY_CACHE  where the pack keeps its throwaway probe keys, and the published CLI
its V8 code cache, between runs (default node_modules/.cache/dcr-mockbank, else
~/.cache/dcr-mockbank; off: none are kept)
`;

function fail(message: string): never {
  console.error(`dcr-conformance: ${message}`);
  process.exit(EXIT.error);
}

async function runLint(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { aud: { type: 'string', multiple: true }, dn: { type: 'string' }, 'spec-version': { type: 'string' }, json: { type: 'boolean' } } });
  const file = positionals[0];
  if (!file) fail('lint needs a file, or - for standard input');
  const version = values['spec-version'];
  if (version !== undefined && !isSpecVersion(version)) fail(`--spec-version ${JSON.stringify(version)} is not 3.1, 3.2 or 3.3`);
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  const result = await lint(text, { ...(values.aud ? { audiences: values.aud } : {}), ...(values.dn ? { certificateDn: values.dn } : {}), ...(version ? { specVersion: version } : {}) });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`${file}: ${result.kind}, ${result.findings.length} finding(s)`);
    for (const f of result.findings) console.log(`  ${f.rule.padEnd(22)} ${f.on.padEnd(18)} ${f.detail}`);
    for (const n of result.notes) console.log(`  note: ${n}`);
  }
  return result.findings.length ? EXIT.failed : EXIT.ok;
}

const MARK: Record<Outcome, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP', blocked: 'BLOCKED', 'n/a': 'N/A' };
const oneLine = (s: string, max = 150) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
};

/** One line per check: outcome, id, one-line reason (the title for a pass). */
function checkLine(r: ReportedCheck, verbose: boolean): string {
  const line = `  ${MARK[r.outcome].padEnd(7)} ${r.id.padEnd(34)} ${oneLine(r.outcome === 'pass' ? r.title : r.message)}`;
  if (!verbose || r.outcome === 'pass') return line;
  const cited = [r.quote, ...(r.seeAlso ?? [])].flatMap((q) => (q ? [`          spec says: ${quoteLine(q)}`] : []));
  return [line, ...cited, JSON.stringify({ spec: r.links, evidence: r.evidence }, null, 2).replace(/^/gm, '          ')].join('\n');
}

export function rootCauseLines(causes: readonly RootCause[]): string[] {
  if (causes.length === 0) return [];
  const out = [`\nRoot causes (${causes.length}): fix these first; the blocked checks could not be judged until they are accepted`];
  causes.forEach((c, i) => {
    out.push(`  ${i + 1}. ${c.exchange}${c.plan ? ` (${c.plan})` : ''}: ${c.request ? `${c.request} answered ` : ''}${c.answer}`);
    if (c.hint) out.push(`     hint: ${c.hint}`);
    if (c.failing.length) out.push(`     failed: ${c.failing.join(', ')}`);
    out.push(`     blocks ${c.blocks.length} check${c.blocks.length === 1 ? '' : 's'}: ${oneLine(c.blocks.join(', '), 300)}`);
  });
  return out;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' }, target: { type: 'string' }, dialect: { type: 'string' }, filter: { type: 'string' }, 'report-dir': { type: 'string' }, 'jwks-host-url': { type: 'string' }, 'jwks-host-bind': { type: 'string' }, verbose: { type: 'boolean' } },
  });
  const extra = positionals.filter((p) => p !== 'run');
  if (extra.length) fail(`unexpected argument ${JSON.stringify(extra[0])} (see --help)`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (values.target) env.DCR_DISCOVERY_URL = values.target;
  if (values['jwks-host-url']) env.DCR_JWKS_HOST_URL = values['jwks-host-url'];
  if (values['jwks-host-bind']) env.DCR_JWKS_HOST_BIND = values['jwks-host-bind'];
  if (values.dialect !== undefined) {
    if (!isDialect(values.dialect)) fail(`configuration error: --dialect ${JSON.stringify(values.dialect)} is not one of ${Object.keys(DIALECTS).join(', ')}`);
    env.DCR_DIALECT = values.dialect;
  }
  const configFile = values.config ? resolve(values.config) : undefined;
  const verbose = values.verbose ?? false;

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

  const startedAt = new Date().toISOString();
  let opened: Awaited<ReturnType<typeof openCheckedSession>>;
  try {
    opened = await openCheckedSession(target);
  } catch (e) {
    if (e instanceof PreflightError) fail(`pre-flight failed: ${e.message}`);
    if (e instanceof ConnectionError) fail(`connection error: ${e.message}`);
    fail(`connection error: ${(e as Error).message}`);
  }
  console.log('\nPre-flight:');
  for (const n of opened.notes) console.log(`  ${n}`);

  const total = checks.filter((c) => matches(c, values.filter)).length;
  let done = 0;
  const packRun = await runWithSession(opened.session, opened.notes, {
    ...(values.filter ? { filter: values.filter } : {}),
    onPlanStart: (plan, n) => console.log(`\n${plan.id}: ${plan.title} (${n} checks) ...`),
    onPlan: (_plan, results) => {
      const na = results.filter((r) => r.outcome === 'n/a');
      // A plan of another dialect: one line, not one per check (--verbose lists them).
      if (!verbose && na.length > 0 && na.length === results.length) console.log(`  ${MARK['n/a'].padEnd(7)} ${`all ${na.length} checks`.padEnd(34)} ${oneLine(na[0]!.message)}`);
      else for (const r of results) console.log(checkLine(r, verbose));
      done += results.length;
      console.log(`  [${done}/${total}]`);
    },
  });

  const report = buildReport(packRun.results, {
    startedAt,
    finishedAt: new Date().toISOString(),
    target: describeTarget(target),
    rootCauses: packRun.rootCauses,
    preflight: packRun.preflight,
    ...(packRun.aborted ? { aborted: packRun.aborted } : {}),
    ...(values.filter ? { filter: values.filter } : {}),
  });
  const reportDir = resolve(values['report-dir'] ?? 'conformance-report');
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(join(reportDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(reportDir, 'junit.xml'), junitXml(report));
  writeFileSync(join(reportDir, 'report.html'), html(report));
  const k = report.counts;
  for (const line of rootCauseLines(report.rootCauses)) console.log(line);
  if (report.sweep.length) {
    console.log('\nOne-change sweep, by accepted exchange:');
    for (const g of report.sweep) {
      console.log(`  ${g.exchange}: ${sweepCounts(g)}`);
      for (const miss of sweepMisses(g)) console.log(`    ${miss}`);
    }
  }
  console.log(`\n${k.total} checks: ${k.pass} pass, ${k.fail} fail (MUST), ${k.warn} warn (SHOULD), ${k.blocked} blocked, ${k.skip} skipped, ${k['n/a']} n/a (${target.dialect ?? 'obie'} dialect)`);
  if (packRun.aborted) console.error(`dcr-conformance: run ended early: ${packRun.aborted}`);
  console.log(`Reports: ${reportDir}/report.html, report.json, junit.xml`);
  return exitCode(report);
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
