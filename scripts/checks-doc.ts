import { writeFileSync } from 'node:fs';
import { checksMarkdown } from '../conformance/checks-doc';

const out = new URL('../docs/checks.md', import.meta.url);
writeFileSync(out, checksMarkdown());
console.log(`wrote ${out.pathname}`);
