// The bench's stand-in for a lean compiled DCR tool (bench/pack.ts): a fresh node process, plain
// JavaScript (no tsx, nothing to compile but these two files), that replays the requests a pack
// run sent (a JSON file written by bench/pack-run.ts) one after another with node:https and
// keep-alive, one agent per credential set, and exits. No keys, no signing, no checks, no reports:
// what any tool doing the same exchanges sequentially cannot do without. Exit 1 when one failed.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { replay } from './replay.mjs';

const requests = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const agents = new Map();
let failed = 0;
for (const r of requests) {
  const id = JSON.stringify([r.client?.cert, r.client?.key, r.ca, !!r.insecure]);
  if (!agents.has(id)) agents.set(id, new https.Agent({ keepAlive: true }));
  if (!(await replay(r, agents.get(id)))) failed++;
}
for (const a of agents.values()) a.destroy();
process.exitCode = failed ? 1 : 0;
