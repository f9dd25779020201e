import { rules, type RuleId } from './rules';
import { specUrl } from './references';

/** docs/rules.md, generated from the catalogue. */
export function rulesMarkdown(): string {
  const rows = (Object.keys(rules) as RuleId[]).map((id) => {
    const r = rules[id];
    const links = r.spec.map((s) => `[${s}](${specUrl(s)})`).join(', ');
    return `| \`${id}\` | ${r.title} | \`${r.error}\` | ${links} |`;
  });
  return [
    '# Rule catalogue',
    '',
    'Generated from `catalogue/rules.ts` by `npm run docs:rules`; do not edit by hand.',
    'The mock bank starts every `error_description` with the id of the rule that refused the request.',
    '',
    '| id | rule | error | spec |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
