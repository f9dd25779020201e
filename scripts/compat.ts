import { writeFileSync } from 'node:fs';
import { profileNames, runProfile, outcomes } from '../integration/compatibility/run';
import { compatibilityMarkdown, readExpected, readReasons, EXPECTED_FILE, type Expected } from '../integration/compatibility/matrix';

/**
 * `npm run docs:compat`: writes docs/compatibility.md from the reviewed table.
 * `npm run compat:record`: reruns the pack against every profile and rewrites expected.json
 * (then review the diff, and reasons.json for every check that does not pass).
 */
if (process.argv.includes('--record')) {
  const expected: Expected = {};
  for (const p of profileNames) {
    const results = await runProfile(p);
    expected[p] = outcomes(results);
    for (const r of results) if (r.outcome !== 'pass') console.log(`${p} ${r.outcome} ${r.id}: ${r.message.slice(0, 200)}`);
  }
  writeFileSync(EXPECTED_FILE, `${JSON.stringify(expected, null, 2)}\n`);
  console.log(`wrote ${EXPECTED_FILE.pathname}`);
} else {
  const out = new URL('../docs/compatibility.md', import.meta.url);
  writeFileSync(out, compatibilityMarkdown(readExpected(), readReasons()));
  console.log(`wrote ${out.pathname}`);
}
