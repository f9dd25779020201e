import { readFileSync } from 'node:fs';
import { checksMarkdown } from '../../conformance/checks-doc';

test('docs/checks.md is up to date with the catalogue (run npm run docs:checks)', () => {
  expect(readFileSync(new URL('../../docs/checks.md', import.meta.url), 'utf8')).toBe(checksMarkdown());
});
