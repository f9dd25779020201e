#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, resolved from this package so it works from any directory.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx/esm')).href;
const cli = fileURLToPath(new URL('../conformance/cli.ts', import.meta.url));
const run = spawnSync(process.execPath, ['--import', tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 2);
