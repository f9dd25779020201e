import { readFileSync } from 'node:fs';
import { checksMarkdown, withReadmeChecks } from '../../conformance/checks-doc';
import { compatibilityMarkdown, readExpected, readReasons } from '../../integration/compatibility/matrix';

test('docs/checks.md is up to date with the catalogue (run npm run docs:checks)', () => {
  expect(readFileSync(new URL('../../docs/checks.md', import.meta.url), 'utf8')).toBe(checksMarkdown());
});

test('docs/compatibility.md is up to date with the reviewed table (run npm run docs:compat)', () => {
  expect(readFileSync(new URL('../../docs/compatibility.md', import.meta.url), 'utf8')).toBe(compatibilityMarkdown(readExpected(), readReasons()));
});

test('README.md lists every check with its title and spec links (run npm run docs:checks)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  expect(readme).toBe(withReadmeChecks(readme));
});
