import { buildReport, exitCode, type ReportedCheck } from '../../conformance/report/model';
import { junitXml } from '../../conformance/report/junit';
import { html } from '../../conformance/report/html';

const check = (id: string, outcome: ReportedCheck['outcome'], message = 'm', severity: ReportedCheck['severity'] = outcome === 'warn' ? 'SHOULD' : 'MUST'): ReportedCheck => ({
  id, title: `title of ${id}`, severity, tags: [], spec: ['RFC7591-3.2.2'], links: ['https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2'],
  outcome, message, evidence: { status: 201, body: '<script>alert("x")</script>', headers: { 'x-dcr-rule': 'REQ-EXP' } }, plan: 'registration', durationMs: 12,
  ...(outcome === 'blocked' ? { blockedBy: 'register-valid' } : {}),
});
const meta = { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', target: { discoveryUrl: 'https://bank.example.com/.well-known/openid-configuration' } };
const rootCauses = [{ exchange: 'register-valid', plan: 'registration', request: 'POST https://bank.example.com/register', answer: "400 invalid_request 'only application/json'", hint: 'it may expect RFC 7591 JSON', failing: ['B'], blocks: ['E'] }];
const report = buildReport([check('A', 'pass'), check('B', 'fail', 'expected 400, got 201 & <more>'), check('C', 'warn'), check('D', 'skip', 'no DELETE'), check('E', 'blocked', 'blocked: its control register-valid was not accepted')], { ...meta, rootCauses });

test('counts every outcome', () => {
  expect(report.counts).toEqual({ pass: 1, fail: 1, warn: 1, skip: 1, blocked: 1, 'n/a': 0, total: 5 });
});

test('JUnit: failures, blocked (errors), skips and warnings in their elements, text escaped', () => {
  const xml = junitXml(report);
  expect(xml).toMatch(/<testsuite name="registration" tests="5" failures="1" skipped="1" errors="1"/);
  expect(xml).toContain('<failure message="expected 400, got 201 &amp; &lt;more&gt;" type="MUST">');
  expect(xml).toContain('<error message="blocked: its control register-valid was not accepted" type="blocked">');
  expect(xml).toContain('<skipped message="no DELETE"/>');
  expect(xml).toContain('<system-out>WARN (SHOULD)');
  expect(xml).not.toContain('<script>');
});

test('HTML: self-contained, root causes, failures then blocked first, compact evidence with the rule header, evidence escaped', () => {
  const page = html(report);
  expect(page).not.toMatch(/<script|<link|src=/);
  expect(page.indexOf('<code>B</code>')).toBeLessThan(page.indexOf('<code>E</code>'));
  expect(page.indexOf('<code>E</code>')).toBeLessThan(page.indexOf('<code>A</code>'));
  expect(page).toContain('<h2>Root causes</h2>');
  expect(page).toContain('<a href="#E"><code>E</code></a>');
  expect(page).toContain('<b>x-dcr-rule</b> REQ-EXP');
  expect(page).toContain('<h2>Plan registration');
  expect(page).toContain('href="https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2"');
  expect(page).toContain('>RFC7591-3.2.2</a>');
  expect(page).toContain('&lt;script&gt;');
});

test('a failed check quotes the spec sentence it relies on: in the JUnit failure text and in the HTML beside the evidence, escaped; a pass quotes nothing', () => {
  const quote = { ref: 'RFC7591-3.2.2', text: 'invalid_redirect_uri The value of one or more redirection URIs is invalid.', link: 'https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2' };
  const also = { ref: 'RFC6749-3.1.2.3', text: 'the authorization server MUST compare the two URIs using "simple string comparison" <6.2.1>', link: 'https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3', why: 'a re-cased path is another URI' };
  const quoted = buildReport([{ ...check('F', 'fail', 'a re-cased redirect URI was registered'), quote, seeAlso: [also] }, check('A', 'pass')], meta);
  const xml = junitXml(quoted);
  const failure = xml.slice(xml.indexOf('<failure'), xml.indexOf('</failure>'));
  expect(failure).toContain('spec says: RFC7591-3.2.2 &quot;invalid_redirect_uri The value of one or more redirection URIs is invalid.&quot; https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2');
  expect(failure).toContain('spec says: RFC6749-3.1.2.3 &quot;the authorization server MUST compare the two URIs using &quot;simple string comparison&quot; &lt;6.2.1&gt;&quot; (a re-cased path is another URI)');
  expect(failure.indexOf('spec says:')).toBeLessThan(failure.indexOf('evidence:'));
  const page = html(quoted);
  const row = page.slice(page.indexOf('<tr class="fail" id="F">'), page.indexOf('</tr>', page.indexOf('<tr class="fail" id="F">')));
  expect(row).toContain('<blockquote class="quote" cite="https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2">&ldquo;invalid_redirect_uri The value of one or more redirection URIs is invalid.&rdquo; <a href="https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2">RFC7591-3.2.2</a></blockquote>');
  expect(row).toContain('&quot;simple string comparison&quot; &lt;6.2.1&gt;');
  expect(row).toContain('<div class="why">a re-cased path is another URI</div>');
  expect(row.indexOf('<blockquote')).toBeLessThan(row.indexOf('<div class="ev">'));
  const passRow = page.slice(page.indexOf('<tr class="pass" id="A">'));
  expect(passRow.slice(0, passRow.indexOf('</tr>'))).not.toContain('<blockquote');
});

test('exit code: 1 for a MUST failure or a blocked MUST check, 0 for warnings, skips and blocked SHOULD checks, 2 when aborted', () => {
  expect(exitCode(buildReport([check('A', 'pass'), check('C', 'warn'), check('D', 'skip')], meta))).toBe(0);
  expect(exitCode(buildReport([check('A', 'pass'), check('B', 'fail')], meta))).toBe(1);
  expect(exitCode(buildReport([check('A', 'pass'), check('E', 'blocked')], meta))).toBe(1);
  expect(exitCode(buildReport([check('E', 'blocked', 'm', 'SHOULD')], meta))).toBe(0);
  expect(exitCode({ ...buildReport([check('A', 'pass')], meta), aborted: 'the bank stopped answering' })).toBe(2);
});

describe('the one-change sweep, grouped by accepted exchange and element', () => {
  const row = (id: string, outcome: ReportedCheck['outcome'], exchange: string, element: string, change: string): ReportedCheck => ({ ...check(id, outcome), sweep: { exchange, element, change } });
  const swept = buildReport(
    [
      row('JWS-ALG-NONE', 'pass', 'POST /register', 'header.alg', 'none'),
      check('DCR-002-REGISTER-201', 'pass'),
      row('REQ-AUD-OTHER', 'fail', 'POST /register', 'claim.aud', 'another bank'),
      row('JWS-ALG-CASE', 'pass', 'POST /register', 'header.alg', 'lower case'),
      row('MGT-GET-BY-SOFTWARE-ID', 'blocked', 'GET /register/{ClientId}', 'path.ClientId', 'the software_id'),
    ],
    meta,
  );

  test('the report groups the rows, exchanges and elements in catalogue order, with counts; checks of no table are left out', () => {
    expect(swept.sweep).toEqual([
      {
        exchange: 'POST /register',
        counts: { pass: 2, fail: 1 },
        elements: [
          { element: 'header.alg', rows: [{ id: 'JWS-ALG-NONE', change: 'none', outcome: 'pass' }, { id: 'JWS-ALG-CASE', change: 'lower case', outcome: 'pass' }] },
          { element: 'claim.aud', rows: [{ id: 'REQ-AUD-OTHER', change: 'another bank', outcome: 'fail' }] },
        ],
      },
      { exchange: 'GET /register/{ClientId}', counts: { blocked: 1 }, elements: [{ element: 'path.ClientId', rows: [{ id: 'MGT-GET-BY-SOFTWARE-ID', change: 'the software_id', outcome: 'blocked' }] }] },
    ]);
    expect(report.sweep).toEqual([]);
  });

  test('HTML has a table per exchange (element, change, outcome, linked check); JUnit names a row by its exchange and element', () => {
    const page = html(swept);
    expect(page).toContain('<h2>One-change sweep</h2>');
    expect(page).toContain('<h3>POST /register <small>3 rows: 2 pass, 1 fail</small></h3>');
    expect(page).toContain('<tr class="fail"><td>FAIL</td><td rowspan="1"><code>claim.aud</code></td><td>another bank</td><td><a href="#REQ-AUD-OTHER"><code>REQ-AUD-OTHER</code></a></td></tr>');
    expect(page).toContain('<td rowspan="2"><code>header.alg</code></td>');
    expect(html(report)).not.toContain('One-change sweep');
    expect(junitXml(swept)).toContain('name="REQ-AUD-OTHER [POST /register · claim.aud: another bank] title of REQ-AUD-OTHER"');
  });
});

describe('n/a: a check of another dialect than the target\'s', () => {
  const na = buildReport([check('A', 'pass'), check('N', 'n/a', 'not applicable: the check applies to the rfc7591 dialect, the target speaks obie')], meta);

  test('is counted apart, and neither fails the run nor makes it pass a MUST', () => {
    expect(na.counts).toEqual({ pass: 1, fail: 0, warn: 0, skip: 0, blocked: 0, 'n/a': 1, total: 2 });
    expect(exitCode(na)).toBe(0);
  });

  test('JUnit: skipped, with the reason', () => {
    const xml = junitXml(na);
    expect(xml).toContain('<skipped message="n/a: not applicable: the check applies to the rfc7591 dialect, the target speaks obie"/>');
    expect(xml).toMatch(/<testsuites [^>]*skipped="1"/);
  });

  test('HTML: its own row class and count', () => {
    const page = html(na);
    expect(page).toContain('<tr class="na" id="N">');
    expect(page).toContain('1 n/a');
  });
});
