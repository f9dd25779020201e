import type { Report } from './model';
import { quoteLine } from '../rules/define';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JUnit XML for CI: one testsuite per plan; MUST failures are failures, blocked checks errors (not judged), SHOULD warnings pass with system-out, skips and checks not applicable to the target's dialect (n/a) are skipped, with the reason. */
export function junitXml(report: Report): string {
  const plans = [...new Set(report.checks.map((c) => c.plan))];
  const suites = plans.map((plan) => {
    const cs = report.checks.filter((c) => c.plan === plan);
    const cases = cs.map((c) => {
      const name = esc(c.sweep ? `${c.id} [${c.sweep.exchange} · ${c.sweep.element}: ${c.sweep.change}] ${c.title}` : `${c.id} ${c.title}`);
      const time = (c.durationMs / 1000).toFixed(3);
      const says = [c.quote, ...(c.seeAlso ?? [])].flatMap((q) => (q ? [`spec says: ${quoteLine(q)}\n`] : [])).join('');
      const detail = esc(`${c.message}\n${says}spec: ${c.links.join(' ')}\nevidence: ${JSON.stringify(c.evidence, null, 2)}`);
      const inner =
        c.outcome === 'fail' ? `<failure message="${esc(c.message)}" type="${c.severity}">${detail}</failure>`
          : c.outcome === 'blocked' ? `<error message="${esc(c.message)}" type="blocked">${detail}</error>`
          : c.outcome === 'skip' || c.outcome === 'n/a' ? `<skipped message="${esc(c.outcome === 'n/a' ? `n/a: ${c.message}` : c.message)}"/>`
            : c.outcome === 'warn' ? `<system-out>WARN (SHOULD): ${detail}</system-out>`
              : '';
      return `    <testcase classname="dcr-conformance.${esc(plan)}" name="${name}" time="${time}">${inner}</testcase>`;
    });
    const failures = cs.filter((c) => c.outcome === 'fail').length;
    const skipped = cs.filter((c) => c.outcome === 'skip' || c.outcome === 'n/a').length;
    const errors = cs.filter((c) => c.outcome === 'blocked').length;
    return `  <testsuite name="${esc(plan)}" tests="${cs.length}" failures="${failures}" skipped="${skipped}" errors="${errors}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="dcr-conformance" tests="${report.counts.total}" failures="${report.counts.fail}" errors="${report.counts.blocked}" skipped="${report.counts.skip + report.counts['n/a']}">\n${suites.join('\n')}\n</testsuites>\n`;
}
