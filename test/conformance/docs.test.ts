import { readFileSync } from 'node:fs';
import { checksMarkdown } from '../../conformance/checks-doc';
import { compatibilityMarkdown, readExpected, readReasons } from '../../conformance/compatibility/matrix';

test('docs/checks.md is up to date with the catalogue (run npm run docs:checks)', () => {
  expect(readFileSync(new URL('../../docs/checks.md', import.meta.url), 'utf8')).toBe(checksMarkdown());
});

test('docs/compatibility.md is up to date with the reviewed table (run npm run docs:compat)', () => {
  expect(readFileSync(new URL('../../docs/compatibility.md', import.meta.url), 'utf8')).toBe(compatibilityMarkdown(readExpected(), readReasons()));
});
