// npm run build: the published package in dist/ (git-ignored).
//
//   dist/index.js                the library (mock-server/index.ts): startMockBank and friends
//   dist/jest.js                 dcr-mockbank/jest (integration/jest.ts: conformance/jest.ts and mockTarget)
//   dist/bin/dcr-mockbank.js     the mock bank and its tools: runs dist/cli/dcr-mockbank.cjs with a V8 code cache (mock-server/bin.ts)
//   dist/cli/dcr-mockbank.cjs    the mock bank's command (mock-server/cli.ts) as one CommonJS file, Express bundled in
//   dist/cli/THIRD-PARTY-LICENSES.txt  the licences of the packages bundled into it
//   dist/bin/dcr-conformance.js  the conformance pack: runs dist/cli/dcr-conformance.cjs with a V8 code cache (conformance/bin.ts)
//   dist/cli/dcr-conformance.cjs the conformance pack's CLI (conformance/cli.ts) as one CommonJS file, which V8 can cache
//   dist/chunks/                 code the entry points share (ESM code splitting)
//   dist/types/                  declarations (tsc, emitDeclarationOnly; tsconfig.build.json)
//   dist/ui/                     the dashboard's page, script and style (mock-server/admin/ui/), read at run time
//
// esbuild bundles the sources into ESM for Node 20 with every package left external: the
// runtime dependencies in package.json are imported as installed (the one exception, Express in
// the mock bank's command, below). Plain JavaScript, so it runs without tsx.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// DCR_DIST_DIR: build the JavaScript into another folder inside this repository instead of dist/
// (the bench tests build their own, so they never read a dist/ that another test is rebuilding);
// packages still resolve from this repository's node_modules. The declarations are written only
// into dist/ (tsconfig.build.json), so such a build leaves them out.
const dist = process.env.DCR_DIST_DIR ? resolve(process.env.DCR_DIST_DIR) : join(root, 'dist');
const jsOnly = dist !== join(root, 'dist');
if (jsOnly && relative(root, dist).startsWith('..')) throw new Error(`build: DCR_DIST_DIR=${dist} must lie inside ${root}, where the packages resolve`);
const BINS = ['bin/dcr-mockbank', 'bin/dcr-conformance'];

rmSync(dist, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: {
    index: 'mock-server/index.ts',
    jest: 'integration/jest.ts',
    'bin/dcr-mockbank': 'mock-server/bin.ts',
    'bin/dcr-conformance': 'conformance/bin.ts',
  },
  outdir: dist,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
  legalComments: 'none',
});

// The conformance CLI in one CommonJS file: Node 20 keeps a code cache for no ES module, and
// compiling the pack's code was most of a fresh run's start-up (common/code-cache.ts). Its
// one dynamic import (selfsigned, on a run with no key cache) becomes a require: vm.Script code
// has no ES module loader of its own on Node 20.
await build({
  absWorkingDir: root,
  entryPoints: ['conformance/cli.ts'],
  outfile: join(dist, 'cli', 'dcr-conformance.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  supported: { 'dynamic-import': false },
  packages: 'external',
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
  legalComments: 'none',
});

// The mock bank's command in one CommonJS file, for the same code cache, with Express and the
// packages it loads bundled in: resolving and compiling their ~100 files in node_modules was
// the largest part of a warm start (docs/performance.md, "Start-up"). The packages loaded only
// later (jose on the first signature, faker and selfsigned when certificates are made, redis
// with STORE_URL, nodemailer with SMTP_URL) and iconv-lite (its tables are half a megabyte, read
// on its first use) stay external, imported as installed; the dynamic imports become requires,
// as above (Node >= 20.19 requires ES modules). import.meta.url (the dashboard's files, found
// beside the bundle) is the bundle's own file URL.
const MOCK_EXTERNAL = ['jose', '@faker-js/faker', 'selfsigned', 'redis', 'nodemailer', 'iconv-lite'];
const mockCli = await build({
  absWorkingDir: root,
  entryPoints: ['mock-server/cli.ts'],
  outfile: join(dist, 'cli', 'dcr-mockbank.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  supported: { 'dynamic-import': false },
  external: MOCK_EXTERNAL,
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  metafile: true,
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
  legalComments: 'none',
});
// Every package bundled into it has its licence beside it (MIT, ISC and BSD-3-Clause, whose notices must
// go with copies); a dependency that is not external and has no licence file stops the build.
const bundled = new Map();
for (const input of Object.keys(mockCli.metafile.inputs)) {
  const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (m && !bundled.has(m[2])) bundled.set(m[2], join(root, m[1]));
}
const notices = [...bundled].sort(([a], [b]) => a.localeCompare(b)).map(([name, dir]) => {
  const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`build: ${name} is bundled into dist/cli/dcr-mockbank.cjs but has no licence file`);
  return `${name}@${version} (${license})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
});
writeFileSync(join(dist, 'cli', 'THIRD-PARTY-LICENSES.txt'), `Packages bundled into dcr-mockbank.cjs, with their licences.\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`);

// The dashboard's files, beside the entry files and one level above the chunks (admin/ui-assets.ts looks in both).
cpSync(join(root, 'mock-server', 'admin', 'ui'), join(dist, 'ui'), { recursive: true });

for (const bin of BINS) {
  const file = join(dist, `${bin}.js`);
  writeFileSync(file, `#!/usr/bin/env node\n${readFileSync(file, 'utf8')}`);
  chmodSync(file, 0o755);
}

if (jsOnly) {
  console.log(`built ${relative(root, dist)} (JavaScript only: no declarations)`);
  process.exit(0);
}

// Declarations. tsc resolves from this repository's node_modules (TypeScript 7 emits declarations).
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });

// The sources import relative modules without extensions (moduleResolution Bundler); the
// declarations must resolve under node16/nodenext too, where relative ESM specifiers need them.
const types = join(dist, 'types');
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.d.ts') ? [p] : [];
  });
}
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*)\2/g;
for (const file of walk(types)) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(SPECIFIER, (whole, lead, quote, spec) => {
    if (/\.(js|mjs|cjs|json)$/.test(spec)) return whole;
    const base = resolve(dirname(file), spec);
    const target = existsSync(`${base}.d.ts`) ? `${spec}.js` : existsSync(join(base, 'index.d.ts')) ? `${spec}/index.js` : undefined;
    if (!target) throw new Error(`build: ${relative(root, file)} imports ${spec}, which has no declaration`);
    return `${lead}${quote}${target}${quote}`;
  });
  if (fixed !== text) writeFileSync(file, fixed);
}

// Entry declarations beside the entry files, so `types` and the exports map name short paths.
writeFileSync(join(dist, 'index.d.ts'), "export * from './types/mock-server/index.js';\n");
writeFileSync(join(dist, 'jest.d.ts'), "export * from './types/integration/jest.js';\n");

process.stdout.write(`built ${relative(process.cwd(), dist) || dist}\n`);
