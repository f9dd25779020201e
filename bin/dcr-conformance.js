#!/usr/bin/env node
// In a clone of the repository: runs the conformance CLI from its TypeScript source through tsx
// (the tests use it; no build needed). The published package's `dcr-conformance` is the compiled
// dist/bin/dcr-conformance.js (npm run build).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx/esm')).href;
const cli = fileURLToPath(new URL('../conformance/cli.ts', import.meta.url));
const run = spawnSync(process.execPath, ['--import', tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 2);
