import { readFileSync, writeFileSync } from 'node:fs';
import { checksMarkdown, withReadmeChecks } from '../conformance/checks-doc';

const out = new URL('../docs/checks.md', import.meta.url);
writeFileSync(out, checksMarkdown());
console.log(`wrote ${out.pathname}`);

const readme = new URL('../README.md', import.meta.url);
writeFileSync(readme, withReadmeChecks(readFileSync(readme, 'utf8')));
console.log(`updated the checks table in ${readme.pathname}`);
