import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { CheckResult, Outcome } from '../rules/define';
import { groupSweep, type SweepGroup } from './sweep';

/**
 * One check's result as reported: the result plus its plan and how long its exchanges took. A failed
 * or warned check carries `quote` (and `seeAlso`): the spec sentence it relies on, with its link.
 */
export interface ReportedCheck extends CheckResult {
  plan: string;
  durationMs: number;
}

/** An exchange the bank did not accept, and what that kept the pack from judging. */
export interface RootCause {
  /** The exchange (e.g. register-valid), or bank-unresponsive. */
  exchange: string;
  plan?: string;
  request?: string;
  /** What the bank answered, in one line: `400 invalid_request 'only application/json ...'`. */
  answer: string;
  hint?: string;
  /** Checks that judged this exchange itself and failed (or warned). */
  failing: string[];
  /** Checks blocked by it. */
  blocks: string[];
}

export interface Report {
  tool: 'dcr-conformance';
  startedAt: string;
  finishedAt: string;
  target: Record<string, unknown>;
  filter?: string;
  counts: Record<Outcome | 'total', number>;
  /** Most blocking first. */
  rootCauses: RootCause[];
  /** Why the run ended early (the bank stopped answering). */
  aborted?: string;
  preflight?: string[];
  /** The sweep rows' results by accepted exchange and element changed. */
  sweep: SweepGroup[];
  checks: ReportedCheck[];
}

/** A line of the results file the plans append to: a result, or a run error (exit 2). */
export type ResultLine = { result: ReportedCheck } | { fatal: string; plan: string };

export function appendLine(file: string | undefined, line: ResultLine): void {
  if (file) appendFileSync(file, `${JSON.stringify(line)}\n`);
}

export function readLines(file: string): ResultLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ResultLine);
}

export function buildReport(
  checks: ReportedCheck[],
  meta: Pick<Report, 'startedAt' | 'finishedAt' | 'target'> & { filter?: string; rootCauses?: RootCause[]; aborted?: string; preflight?: string[] },
): Report {
  const counts = { pass: 0, fail: 0, warn: 0, skip: 0, blocked: 0, 'n/a': 0, total: checks.length };
  for (const c of checks) counts[c.outcome]++;
  const { rootCauses = [], ...rest } = meta;
  return { tool: 'dcr-conformance', ...rest, counts, rootCauses, sweep: groupSweep(checks), checks };
}

/** Exit codes: 0 nothing MUST failed or was blocked; 1 a MUST check failed or could not be judged (blocked); 2 the run could not be made or was ended early. */
export function exitCode(report: Pick<Report, 'checks' | 'aborted'>): 0 | 1 | 2 {
  if (report.aborted) return 2;
  return report.checks.some((c) => c.severity === 'MUST' && (c.outcome === 'fail' || c.outcome === 'blocked')) ? 1 : 0;
}
