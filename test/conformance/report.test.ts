import { buildReport, type ReportedCheck } from '../../conformance/report/model';
import { junitXml } from '../../conformance/report/junit';
import { html } from '../../conformance/report/html';

const check = (id: string, outcome: ReportedCheck['outcome'], message = 'm'): ReportedCheck => ({
  id, title: `title of ${id}`, severity: outcome === 'warn' ? 'SHOULD' : 'MUST', tags: [], spec: ['RFC7591-3.2.2'], links: ['https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2'],
  outcome, message, evidence: { status: 201, body: '<script>alert("x")</script>' }, plan: 'registration', durationMs: 12,
});
const report = buildReport([check('A', 'pass'), check('B', 'fail', 'expected 400, got 201 & <more>'), check('C', 'warn'), check('D', 'skip', 'no DELETE')], {
  startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', target: { discoveryUrl: 'https://bank.example.com/.well-known/openid-configuration' },
});

test('counts every outcome', () => {
  expect(report.counts).toEqual({ pass: 1, fail: 1, warn: 1, skip: 1, total: 4 });
});

test('JUnit: failures, skips and warnings in their elements, text escaped', () => {
  const xml = junitXml(report);
  expect(xml).toMatch(/<testsuite name="registration" tests="4" failures="1" skipped="1"/);
  expect(xml).toContain('<failure message="expected 400, got 201 &amp; &lt;more&gt;" type="MUST">');
  expect(xml).toContain('<skipped message="no DELETE"/>');
  expect(xml).toContain('<system-out>WARN (SHOULD)');
  expect(xml).not.toContain('<script>');
});

test('HTML: self-contained, failures first and open with evidence and the spec link, evidence escaped', () => {
  const page = html(report);
  expect(page).not.toMatch(/<script|<link|src=/);
  expect(page.indexOf('<code>B</code>')).toBeLessThan(page.indexOf('<code>A</code>'));
  expect(page).toContain('<details open>');
  expect(page).toContain('href="https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2"');
  expect(page).toContain('>RFC7591-3.2.2</a>');
  expect(page).toContain('&lt;script&gt;');
});
