import { checkById, checks } from '../../conformance/rules';
import type { PackRun } from '../../conformance/runner';
import type { LocalServer } from './servers/local-https';

/**
 * What the tests proving a dialect's checks on an independent server of ours share
 * (rfc7591-server.test.ts, obf-bank.test.ts, cdr-bank.test.ts): the table of one-flag bugs, the
 * servers a file starts (closed after it), and the verdicts on a run of the correct server and of a
 * caught bug.
 */
export interface CaughtBug<B extends string> {
  bug: B;
  /** The checks that must fail (a SHOULD check warns); no other check of the run may fail, warn, skip or be blocked. */
  expect: string[];
  /** Checks the bug leaves unjudged (their control is not accepted): blocked, never passed. */
  blocked?: string[];
}

/** The servers a test file starts: each one `started` is closed after all its tests. */
export function serversClosedAfterAll<S extends Pick<LocalServer, 'close'>>(): { started(server: S): S } {
  const servers: S[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  return {
    started(server) {
      servers.push(server);
      return server;
    },
  };
}

export const idsWith = (results: ReadonlyArray<{ id: string; outcome: string }>, ...outcomes: string[]) => results.filter((r) => outcomes.includes(r.outcome)).map((r) => r.id).sort();

/** Every bug is in the table, every id a check of the dialect, and every check of the dialect is expected to fail by some bug. */
export function expectTableComplete<B extends string>(table: readonly CaughtBug<B>[], bugs: readonly B[], dialectChecks: readonly string[]): void {
  expect(table.map((r) => r.bug).sort()).toEqual([...bugs].sort());
  expect(table.flatMap((r) => [...r.expect, ...(r.blocked ?? [])]).filter((id) => !checkById(id) || !dialectChecks.includes(id))).toEqual([]);
  expect(dialectChecks.filter((id) => !table.some((r) => r.expect.includes(id)))).toEqual([]);
}

/** The correct server: every check of its dialect passes (no false failure), every other is n/a, nothing blocked a control. */
export function expectAllPass(run: PackRun, dialectChecks: readonly string[]): void {
  expect(run.aborted).toBeUndefined();
  expect(idsWith(run.results, 'pass')).toEqual([...dialectChecks].sort());
  expect(idsWith(run.results, 'n/a')).toEqual(checks.filter((c) => !dialectChecks.includes(c.id)).map((c) => c.id).sort());
  expect(run.rootCauses).toEqual([]);
}

/** A bug is caught by exactly its checks: each fails (MUST) or warns (SHOULD), nothing else does, nothing but `blocked` is blocked or skipped. */
export function expectCaught(run: PackRun, expected: readonly string[], blocked: readonly string[] = []): void {
  for (const id of expected) {
    const r = run.results.find((x) => x.id === id);
    expect({ id, outcome: r?.outcome }).toEqual({ id, outcome: checkById(id)!.severity === 'SHOULD' ? 'warn' : 'fail' });
  }
  expect(idsWith(run.results, 'fail', 'warn')).toEqual([...expected].sort());
  expect(idsWith(run.results, 'blocked', 'skip')).toEqual([...blocked].sort());
}
