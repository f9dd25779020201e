import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The published CLI runs its CommonJS bundle with a V8 code cache (common/code-cache.ts):
 * written at the first run's exit, read by the next, never read for another bundle, replaced when
 * V8 rejects it, and none at all with the key cache off. Each run is a fresh node process.
 */
const ROOT = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'code-cache-'));
const runner = join(work, 'run.mts');
writeFileSync(runner, `import { runWithCodeCache } from ${JSON.stringify(join(ROOT, 'common', 'code-cache.ts'))};\nrunWithCodeCache(process.argv[2]!, process.argv[3] === 'off' ? undefined : process.argv[3]);\n`);
const app = join(work, 'app.cjs');
const run = (cache: string) => execFileSync(process.execPath, ['--import', 'tsx', runner, app, cache], { cwd: ROOT, encoding: 'utf8' });
const files = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.v8'));

test('the code cache is written once, read back unchanged, private, and keyed by the bundle text', () => {
  writeFileSync(app, "const { basename } = require('node:path');\nfunction answer() { return 40 + 2; }\nconsole.log(basename(__filename), typeof module.exports, answer());\n");
  const cache = join(work, 'cache');
  expect(run(cache)).toBe('app.cjs object 42\n');
  const [file] = files(cache);
  expect(file).toMatch(/^code-[0-9a-f]{32}\.v8$/);
  expect(statSync(cache).mode & 0o077).toBe(0);
  expect(statSync(join(cache, file!)).mode & 0o077).toBe(0);
  const written = statSync(join(cache, file!)).mtimeMs;
  // Accepted by V8: not written again.
  expect(run(cache)).toBe('app.cjs object 42\n');
  expect(statSync(join(cache, file!)).mtimeMs).toBe(written);
  // Data V8 rejects is replaced.
  writeFileSync(join(cache, file!), 'not a code cache');
  expect(run(cache)).toBe('app.cjs object 42\n');
  expect(readFileSync(join(cache, file!), 'utf8')).not.toBe('not a code cache');
  // Another bundle of the same length has a cache of its own, never the first one's.
  writeFileSync(app, readFileSync(app, 'utf8').replace('40 + 2', '40 + 3'));
  expect(run(cache)).toBe('app.cjs object 43\n');
  expect(files(cache)).toHaveLength(2);
}, 60_000);

test('with the key cache off, no code cache is read or written', () => {
  writeFileSync(app, "console.log('ran');\n");
  const before = readdirSync(work).length;
  expect(run('off')).toBe('ran\n');
  expect(readdirSync(work)).toHaveLength(before);
}, 30_000);
