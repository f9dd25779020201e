import { checks, matches } from '../../conformance/rules';
import { plans, planOf } from '../../conformance/plans';
import { isRuleId } from '../../catalogue/rules';
import { references } from '../../catalogue/references';

test('check ids are unique', () => {
  const seen = new Set<string>();
  const dupes = checks.map((c) => c.id).filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
  expect(dupes).toEqual([]);
});

test('there are at least 60 checks', () => {
  expect(checks.length).toBeGreaterThanOrEqual(60);
});

test('every check has a title, spec links, a severity, tags and known rule ids', () => {
  for (const c of checks) {
    expect(c.title.length).toBeGreaterThan(10);
    expect(c.spec.length).toBeGreaterThan(0);
    expect(c.spec.every((s) => Object.hasOwn(references, s))).toBe(true);
    expect(c.links.every((l) => l.startsWith('https://'))).toBe(true);
    expect(['MUST', 'SHOULD']).toContain(c.severity);
    expect(c.tags.length).toBeGreaterThan(0);
    expect(c.rules.every(isRuleId)).toBe(true);
  }
});

test('every check belongs to exactly one plan', () => {
  for (const c of checks) expect(plans.filter((p) => p.checks.includes(c)).map((p) => p.id)).toHaveLength(1);
  expect(plans.flatMap((p) => p.checks)).toHaveLength(checks.length);
});

test('every OBIE tool scenario is selectable by its id', () => {
  for (const id of ['DCR-001', 'DCR-002', 'DCR-003', 'DCR-004', 'DCR-005', 'DCR-007', 'DCR-008', 'DCR-009', 'DCR-010', 'DCR-011']) {
    expect(checks.filter((c) => matches(c, id)).length).toBeGreaterThan(0);
  }
  expect(planOf('DCR-004-EXP')?.id).toBe('registration');
});
