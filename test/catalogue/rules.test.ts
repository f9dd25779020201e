import { readFileSync } from 'node:fs';
import { rules, describe as describeRule, ruleIdOf, isRuleId } from '../../catalogue/rules';
import { references } from '../../catalogue/references';
import { rulesMarkdown } from '../../catalogue/docs';

describe('rule catalogue', () => {
  test('ids are unique, upper-case and cite known spec references', () => {
    const ids = Object.keys(rules);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [id, r] of Object.entries(rules)) {
      expect(id).toMatch(/^[A-Z0-9]+(-[A-Z0-9]+)+$/);
      expect(r.spec.length).toBeGreaterThan(0);
      for (const s of r.spec) expect(Object.keys(references)).toContain(s);
    }
  });

  test('every spec reference resolves to an https URL', () => {
    for (const url of Object.values(references)) expect(url).toMatch(/^https:\/\//);
  });

  test('descriptions carry the rule id and read back', () => {
    const d = describeRule('REQ-REDIRECT-SUBSET', 'x');
    expect(d).toBe('REQ-REDIRECT-SUBSET: x');
    expect(ruleIdOf(d)).toBe('REQ-REDIRECT-SUBSET');
    expect(ruleIdOf('NOT-A-RULE: x')).toBeUndefined();
    expect(ruleIdOf(42)).toBeUndefined();
    expect(isRuleId('REQ-ISS')).toBe(true);
    expect(isRuleId('toString')).toBe(false);
  });

  test('descriptions stay within the 500 characters of ERR-01', () => {
    expect(describeRule('REQ-ISS', 'x'.repeat(1000)).length).toBe(500);
  });

  test('docs/rules.md is up to date (npm run docs:rules)', () => {
    expect(readFileSync('docs/rules.md', 'utf8')).toBe(rulesMarkdown());
  });
});
