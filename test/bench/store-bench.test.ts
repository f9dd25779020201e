import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** npm run bench:store keeps working: a tiny run completes and prints each store's ratio. No timing is asserted. */
test('the store bench runs end to end and prints inserts/s and ratios against 1k live entries', () => {
  const r = spawnSync(join('node_modules', '.bin', 'tsx'), ['bench/store.ts'], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_ROUNDS: '1', BENCH_STORE_INSERTS: '200', BENCH_STORE_LIVE: '3000' },
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^tokens +3,000 +\d+ +\d+ +\d+\.\d\d +\d+\.\d\d$/m);
  expect(r.stdout).toMatch(/^jtis +6,000, full, expiring +\d+ +\d+ +\d+\.\d\d/m);
  expect(r.stdout).toMatch(/^before \(scan\) +3,000, full +\d+ +\d+ +\d+\.\d{4}/m);
}, 130_000);

test('a setting that is not a positive whole number stops the store bench with exit 2, naming it', () => {
  const r = spawnSync(join('node_modules', '.bin', 'tsx'), ['bench/store.ts'], { encoding: 'utf8', env: { ...process.env, BENCH_STORE_LIVE: 'x' }, timeout: 60_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^BENCH_STORE_LIVE="x": expected a positive whole number/);
});
