import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The pack stands on its own: nothing under conformance/ reaches mock-server/, directly or through
 * any chain of relative imports (fixtures/, catalogue/, common/ ...), type-only imports included,
 * so the pack judges the mock by the specs and never by the mock's own code. common/ is what both
 * share; it imports neither.
 */
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bexport\s+\*\s+from\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mjs|js)$/.test(name) ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')].find((c) => existsSync(c) && statSync(c).isFile());
}

/** Every chain of relative imports from `entry` that ends in a file under one of `forbidden`. */
function reaching(entry: string, forbidden: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const rel = relative(ROOT, file);
    if (forbidden.some((d) => rel.startsWith(`${d}/`))) {
      out.push(chain.join(' -> '));
      return;
    }
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const next = resolveImport(file, m[1]!);
      if (next) walk(next, [...chain, relative(ROOT, next)]);
    }
  };
  walk(entry, [relative(ROOT, entry)]);
  return out;
}

test('no file under conformance/ imports mock-server/, directly or transitively', () => {
  const entries = files(join(ROOT, 'conformance'));
  expect(entries.length).toBeGreaterThan(20);
  expect(entries.flatMap((f) => reaching(f, ['mock-server']))).toEqual([]);
});

test('common/ imports neither mock-server/ nor conformance/', () => {
  expect(files(join(ROOT, 'common')).flatMap((f) => reaching(f, ['mock-server', 'conformance']))).toEqual([]);
});

test('the walk finds an import chain where there is one (integration/ joins the pack and the mock)', () => {
  expect(reaching(join(ROOT, 'integration', 'jest.ts'), ['mock-server'])).toEqual(expect.arrayContaining([expect.stringMatching(/^integration\/jest\.ts -> integration\/mock-target\.ts -> mock-server\//)]));
});
