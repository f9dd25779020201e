import { fileURLToPath } from 'node:url';
import { keyCacheDir } from '../fixtures/keys';
import { runWithCodeCache } from '../common/code-cache';

/**
 * The published dcr-mockbank (dist/bin/dcr-mockbank.js): the command (mock-server/cli.ts) bundled
 * as one CommonJS file with the packages it loads at start (Express and its dependencies), run
 * with a V8 code cache kept in the key cache beside the conformance CLI's. Compiling that code and
 * resolving some hundred files of node_modules was most of a warm start (docs/performance.md,
 * "Start-up"). The cache is written when the process exits (Ctrl-C, SIGTERM, --help).
 */
runWithCodeCache(fileURLToPath(new URL('../cli/dcr-mockbank.cjs', import.meta.url)), keyCacheDir());
