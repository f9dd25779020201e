import { fileURLToPath } from 'node:url';
import { keyCacheDir } from '../fixtures/keys';
import { runWithCodeCache } from '../common/code-cache';

/**
 * The published dcr-conformance (dist/bin/dcr-conformance.js): the CLI (conformance/cli.ts),
 * bundled as one CommonJS file, run with a V8 code cache kept beside the probe keys.
 */
runWithCodeCache(fileURLToPath(new URL('../cli/dcr-conformance.cjs', import.meta.url)), keyCacheDir());
