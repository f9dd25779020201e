import type { Outcome } from '../rules/define';
import type { ReportedCheck } from './model';

/**
 * The one-change sweep as a report reads it: the results of the sweep rows grouped by the accepted
 * exchange they change (`POST /register`, `GET /register/{ClientId}` ...) and, within it, by the
 * element changed (`header.alg`, `claim.aud`, `tls.certificate` ...), each row with its change and
 * outcome. Exchanges and elements in the order the catalogue lists them.
 */
export interface SweepRowResult {
  id: string;
  change: string;
  outcome: Outcome;
}

export interface SweepElement {
  element: string;
  rows: SweepRowResult[];
}

export interface SweepGroup {
  exchange: string;
  counts: Partial<Record<Outcome, number>>;
  elements: SweepElement[];
}

export function groupSweep(checks: readonly ReportedCheck[]): SweepGroup[] {
  const groups = new Map<string, SweepGroup>();
  for (const c of checks) {
    if (!c.sweep) continue;
    let g = groups.get(c.sweep.exchange);
    if (!g) groups.set(c.sweep.exchange, (g = { exchange: c.sweep.exchange, counts: {}, elements: [] }));
    g.counts[c.outcome] = (g.counts[c.outcome] ?? 0) + 1;
    let e = g.elements.find((x) => x.element === c.sweep!.element);
    if (!e) g.elements.push((e = { element: c.sweep.element, rows: [] }));
    e.rows.push({ id: c.id, change: c.sweep.change, outcome: c.outcome });
  }
  return [...groups.values()];
}

/** `45 rows: 44 pass, 1 fail`, outcomes in a fixed order. */
export function sweepCounts(g: SweepGroup): string {
  const total = Object.values(g.counts).reduce((a, b) => a + (b ?? 0), 0);
  const parts = (['pass', 'fail', 'warn', 'blocked', 'skip'] as const).filter((o) => g.counts[o]).map((o) => `${g.counts[o]} ${o}`);
  return `${total} row${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The rows that did not pass, as `element change: OUTCOME id`. */
export function sweepMisses(g: SweepGroup): string[] {
  return g.elements.flatMap((e) => e.rows.filter((r) => r.outcome !== 'pass').map((r) => `${e.element} ${r.change}: ${r.outcome.toUpperCase()} ${r.id}`));
}
