import type { Report, ReportedCheck } from './model';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

function row(c: ReportedCheck): string {
  const links = c.links.map((l, i) => `<a href="${esc(l)}" title="${esc(l)}">${esc(c.spec?.[i] ?? l)}</a>`).join('<br>');
  const evidence = c.outcome === 'pass' ? '' : `<details${c.outcome === 'fail' ? ' open' : ''}><summary>evidence</summary><pre>${esc(JSON.stringify(c.evidence, null, 2))}</pre></details>`;
  return `<tr class="${c.outcome}"><td>${c.outcome.toUpperCase()}</td><td><code>${esc(c.id)}</code></td><td>${esc(c.title)}<div class="msg">${esc(c.message)}</div>${evidence}</td><td>${c.severity}</td><td>${links}</td><td>${c.durationMs}</td></tr>`;
}

/** A self-contained page (no scripts, no external assets): summary counts, then failures first with evidence and spec links. */
export function html(report: Report): string {
  const order = { fail: 0, warn: 1, skip: 2, pass: 3 } as const;
  const rows = [...report.checks].sort((a, b) => order[a.outcome] - order[b.outcome] || a.id.localeCompare(b.id)).map(row).join('\n');
  const k = report.counts;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DCR conformance report</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}
tr.fail td:first-child{color:#fff;background:#c62828}tr.warn td:first-child{background:#f9a825}tr.skip td:first-child{background:#ddd}tr.pass td:first-child{color:#fff;background:#2e7d32}
.msg{color:#555;font-size:12px}pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:40em;overflow:auto}td:nth-child(3){max-width:60vw}td:nth-child(5){white-space:nowrap}.counts span{margin-right:1.5em;font-weight:600}
</style></head><body>
<h1>DCR conformance report</h1>
<p>Target: <code>${esc(String(report.target.discoveryUrl ?? report.target.registrationEndpoint ?? ''))}</code> &middot; started ${esc(report.startedAt)} &middot; finished ${esc(report.finishedAt)}${report.filter ? ` &middot; filter <code>${esc(report.filter)}</code>` : ''}</p>
<p class="counts"><span>${k.total} checks</span><span style="color:#2e7d32">${k.pass} pass</span><span style="color:#c62828">${k.fail} fail (MUST)</span><span style="color:#b58100">${k.warn} warn (SHOULD)</span><span>${k.skip} skipped</span></p>
<table><thead><tr><th>outcome</th><th>id</th><th>check</th><th>severity</th><th>spec</th><th>ms</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Resolved target</h2><pre>${esc(JSON.stringify(report.target, null, 2))}</pre>
</body></html>
`;
}
