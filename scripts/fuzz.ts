import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `npm run fuzz`: the property-based fuzz test (test/mock-server/fuzz.test.ts) with many more
 * cases than `npm test` runs, and a new seed each time unless one is given.
 *
 *   npm run fuzz                          # 5,000 requests, random seed
 *   npm run fuzz -- 50000                 # more (or --runs 50000): issue 24's goal, docs/fuzz.md
 *   npm run fuzz -- --seed 1234567        # replay a failure (the seed is printed)
 *
 * Half the requests go one at a time, half in concurrent mixes. At the end it prints the requests
 * sent, the 5xx count, the slowest answer, and the heap after GC as a ratio to its baseline.
 * A failure prints the seed and the request: the answer, and what was wrong with it.
 */
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const positional = process.argv.slice(2).find((a, i, all) => /^\d+$/.test(a) && !all[i - 1]?.startsWith('--'));
const runs = Number(arg('runs') ?? positional ?? 5_000);
const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- [N | --runs N] [--seed S]');
  process.exit(2);
}
console.log(`fuzz: ${runs} requests, seed ${seed}`);
const root = fileURLToPath(new URL('..', import.meta.url));
const jest = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', '--maxWorkers=1', 'test/mock-server/fuzz.test.ts'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed), FUZZ_VERBOSE: process.env.FUZZ_VERBOSE ?? '1' } },
);
if (jest.status !== 0) console.error(`fuzz failed; replay with: npm run fuzz -- --runs ${runs} --seed ${seed}`);
process.exit(jest.status ?? 1);
