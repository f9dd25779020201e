import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { CheckResult } from '../rules/define';

/** One check's result as reported: the result plus its plan and how long its exchanges took. */
export interface ReportedCheck extends CheckResult {
  plan: string;
  durationMs: number;
}

export interface Report {
  tool: 'dcr-conformance';
  startedAt: string;
  finishedAt: string;
  target: Record<string, unknown>;
  filter?: string;
  counts: Record<'pass' | 'fail' | 'warn' | 'skip' | 'total', number>;
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

export function buildReport(checks: ReportedCheck[], meta: Pick<Report, 'startedAt' | 'finishedAt' | 'target'> & { filter?: string }): Report {
  const counts = { pass: 0, fail: 0, warn: 0, skip: 0, total: checks.length };
  for (const c of checks) counts[c.outcome]++;
  return { tool: 'dcr-conformance', ...meta, counts, checks };
}
