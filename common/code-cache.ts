import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Runs a CommonJS bundle (the published commands: dist/cli/dcr-conformance.cjs and
 * dist/cli/dcr-mockbank.cjs) with a V8 code cache: parsing and compiling the pack's ~400 KB of
 * JavaScript was the largest part of a fresh process's start-up, as compiling the mock's code and
 * the packages it loads at start was of the mock bank's, and Node 20 caches the code of no ES
 * module (module.enableCompileCache is Node 22). Shared by both commands (common/: mock-server/ and
 * conformance/ import nothing from each other). The cache is the code V8 compiled in an earlier run, written at that run's exit,
 * read back by the next: a file in `cacheDir` (the key cache, fixtures/keys keyCacheDir: 0700,
 * written 0600) named by a SHA-256 of the bundle's text, the Node version and the architecture,
 * so another bundle or Node never reads it (V8's own check compares the source length only). V8
 * rejects data that does not fit its flags or version; the bundle is then compiled as usual and
 * the cache written afresh. No cache directory (DCR_KEY_CACHE=off): compiled as usual. The
 * directory is the user's own, as trusted as the node_modules the CLI itself is run from: V8 does
 * not check cached code for tampering.
 */
export function runWithCodeCache(file: string, cacheDir: string | undefined): void {
  const source = readFileSync(file, 'utf8');
  const id = createHash('sha256').update(source).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 32);
  const cacheFile = cacheDir ? join(cacheDir, `code-${id}.v8`) : undefined;
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // None yet: written at exit.
    }
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // At exit, so that the functions the run compiled are in it too (the CLI ends with process.exit).
    process.once('exit', () => {
      try {
        mkdirSync(cacheDir!, { recursive: true, mode: 0o700 });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
      } catch {
        // A cache that cannot be written only costs the next run the compilation.
      }
    });
  }
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}
