import { writeFileSync } from 'node:fs';
import { rulesMarkdown } from '../catalogue/docs';

writeFileSync('docs/rules.md', rulesMarkdown());
process.stdout.write('wrote docs/rules.md\n');
