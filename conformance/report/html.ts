import type { Report, ReportedCheck, RootCause } from './model';
import { sweepCounts, type SweepGroup } from './sweep';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
const ORDER = { fail: 0, blocked: 1, warn: 2, skip: 3, pass: 4, 'n/a': 5 } as const;

/** The evidence that explains an outcome at a glance: request, status, the rule header, the body excerpt, expected and actual. */
function compact(c: ReportedCheck): string {
  const e = c.evidence;
  const headers = (e.headers ?? {}) as Record<string, unknown>;
  const lines: string[] = [];
  if (typeof e.request === 'string') lines.push(`<b>request</b> ${esc(e.request)}`);
  if (e.status !== undefined) lines.push(`<b>status</b> ${esc(String(e.status))}${e.transportError ? ` (${esc(String(e.transportError))})` : ''}`);
  for (const h of ['x-dcr-rule', 'www-authenticate', 'content-type']) if (headers[h] !== undefined) lines.push(`<b>${h}</b> ${esc(String(headers[h]))}`);
  if (e.blockedBy) lines.push(`<b>blocked by</b> <code>${esc(String(e.blockedBy))}</code>: ${esc(String(e.rootAnswer ?? ''))}`);
  if (e.hint) lines.push(`<b>hint</b> ${esc(String(e.hint))}`);
  if (e.expected !== undefined) lines.push(`<b>expected</b> ${esc(JSON.stringify(e.expected))}`);
  if (e.actual !== undefined) lines.push(`<b>actual</b> ${esc(JSON.stringify(e.actual).slice(0, 400))}`);
  if (typeof e.body === 'string' && e.body) lines.push(`<b>body</b> <code>${esc(e.body.slice(0, 300))}</code>`);
  return lines.map((l) => `<div>${l}</div>`).join('');
}

/** The spec sentence a failure relies on, then any others the check cites, each linked to its section. */
function says(c: ReportedCheck): string {
  return [c.quote, ...(c.seeAlso ?? [])]
    .flatMap((q, i) => (q ? [`<blockquote class="quote${i ? ' also' : ''}" cite="${esc(q.link)}">&ldquo;${esc(q.text)}&rdquo; <a href="${esc(q.link)}">${esc(q.ref)}</a>${q.why ? `<div class="why">${esc(q.why)}</div>` : ''}</blockquote>`] : []))
    .join('');
}

/** The outcome as a CSS class (n/a is na). */
const cls = (o: ReportedCheck['outcome']) => (o === 'n/a' ? 'na' : o);

function row(c: ReportedCheck): string {
  const links = c.links.map((l, i) => `<a href="${esc(l)}" title="${esc(l)}">${esc(c.spec?.[i] ?? l)}</a>`).join('<br>');
  const evidence = c.outcome === 'pass' ? '' : `${says(c)}<div class="ev">${compact(c)}</div><details><summary>full evidence</summary><pre>${esc(JSON.stringify(c.evidence, null, 2))}</pre></details>`;
  return `<tr class="${cls(c.outcome)}" id="${esc(c.id)}"><td>${c.outcome.toUpperCase()}</td><td><code>${esc(c.id)}</code></td><td>${esc(c.title)}<div class="msg">${esc(c.message)}</div>${evidence}</td><td>${c.severity}</td><td>${links}</td><td>${c.durationMs}</td></tr>`;
}

const table = (checks: readonly ReportedCheck[]) =>
  `<table><thead><tr><th>outcome</th><th>id</th><th>check</th><th>severity</th><th>spec</th><th>ms</th></tr></thead><tbody>\n${[...checks]
    .sort((a, b) => ORDER[a.outcome] - ORDER[b.outcome] || a.id.localeCompare(b.id))
    .map(row)
    .join('\n')}\n</tbody></table>`;

function cause(c: RootCause, i: number): string {
  const ids = (list: string[]) => list.map((id) => `<a href="#${esc(id)}"><code>${esc(id)}</code></a>`).join(', ');
  return `<li><p><b>${i + 1}. <code>${esc(c.exchange)}</code></b>${c.plan ? ` (plan ${esc(c.plan)})` : ''}: ${c.request ? `${esc(c.request)} answered ` : ''}<code>${esc(c.answer)}</code></p>${c.hint ? `<p class="hint">hint: ${esc(c.hint)}</p>` : ''}${c.failing.length ? `<p>failed: ${ids(c.failing)}</p>` : ''}<p>blocks ${c.blocks.length}: ${ids(c.blocks)}</p></li>`;
}

/** One table per accepted exchange of the sweep: each element changed, each change and its outcome, linked to the check. */
function sweepSection(groups: readonly SweepGroup[]): string {
  if (groups.length === 0) return '';
  const tables = groups.map((g) => {
    const rows = g.elements.flatMap((e) =>
      e.rows.map((r, i) => `<tr class="${r.outcome}"><td>${r.outcome.toUpperCase()}</td>${i === 0 ? `<td rowspan="${e.rows.length}"><code>${esc(e.element)}</code></td>` : ''}<td>${esc(r.change)}</td><td><a href="#${esc(r.id)}"><code>${esc(r.id)}</code></a></td></tr>`),
    );
    return `<h3>${esc(g.exchange)} <small>${esc(sweepCounts(g))}</small></h3><table class="sweep"><thead><tr><th>outcome</th><th>element</th><th>change</th><th>check</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
  });
  return `<h2>One-change sweep</h2><p>Each accepted exchange, changed one element at a time: what was changed, how, and what the bank made of it.</p>\n${tables.join('\n')}`;
}

/** A self-contained page (no scripts, no external assets): counts, root causes, then each plan with failures first and compact evidence. */
export function html(report: Report): string {
  const k = report.counts;
  const plans = [...new Set(report.checks.map((c) => c.plan))];
  const sections = plans
    .map((p) => {
      const cs = report.checks.filter((c) => c.plan === p);
      const n = (o: ReportedCheck['outcome']) => cs.filter((c) => c.outcome === o).length;
      return `<h2>Plan ${esc(p)} <small>${n('pass')} pass &middot; ${n('fail')} fail &middot; ${n('blocked')} blocked &middot; ${n('warn')} warn &middot; ${n('skip')} skipped${n('n/a') ? ` &middot; ${n('n/a')} n/a` : ''}</small></h2>\n${table(cs)}`;
    })
    .join('\n');
  const causes = report.rootCauses.length
    ? `<h2>Root causes</h2><p>Each exchange the bank did not accept, and the checks it blocked: fix these first.</p><ol class="causes">${report.rootCauses.map(cause).join('')}</ol>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DCR conformance report</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}
tr.fail td:first-child{color:#fff;background:#c62828}tr.blocked td:first-child{color:#fff;background:#6a1b9a}tr.warn td:first-child{background:#f9a825}tr.skip td:first-child{background:#ddd}tr.na td:first-child{background:#eee;color:#777}tr.pass td:first-child{color:#fff;background:#2e7d32}
.msg{color:#555;font-size:12px}.ev{font-size:12px;margin-top:4px}.ev div{overflow-wrap:anywhere}pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:40em;overflow:auto}td:nth-child(3){max-width:60vw}td:nth-child(5){white-space:nowrap}.counts span{margin-right:1.5em;font-weight:600}
.quote{margin:4px 0;padding:2px 8px;border-left:3px solid #c62828;font-size:12px;color:#333}.quote.also{border-left-color:#bbb;color:#555}.quote .why{font-style:italic;color:#555}
.causes li{margin-bottom:1em}.causes p{margin:.2em 0}.hint{color:#6a1b9a}.aborted{background:#ffebee;padding:8px;border-left:4px solid #c62828}h2 small{font-weight:400;color:#555;font-size:13px}
</style></head><body>
<h1>DCR conformance report</h1>
<p>Target: <code>${esc(String(report.target.discoveryUrl ?? report.target.registrationEndpoint ?? ''))}</code> &middot; started ${esc(report.startedAt)} &middot; finished ${esc(report.finishedAt)}${report.filter ? ` &middot; filter <code>${esc(report.filter)}</code>` : ''}</p>
${report.aborted ? `<p class="aborted">The run ended early: ${esc(report.aborted)}</p>` : ''}
<p class="counts"><span>${k.total} checks</span><span style="color:#2e7d32">${k.pass} pass</span><span style="color:#c62828">${k.fail} fail (MUST)</span><span style="color:#6a1b9a">${k.blocked} blocked</span><span style="color:#b58100">${k.warn} warn (SHOULD)</span><span>${k.skip} skipped</span><span style="color:#777">${k['n/a']} n/a (not of the target's dialect)</span></p>
${causes}
${sweepSection(report.sweep ?? [])}
${sections}
<h2>Pre-flight</h2><pre>${esc((report.preflight ?? []).join('\n'))}</pre>
<h2>Resolved target</h2><pre>${esc(JSON.stringify(report.target, null, 2))}</pre>
</body></html>
`;
}
