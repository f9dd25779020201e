/**
 * One round of `bench/pack.ts`, in a fresh process as the CLI would run it (no key made yet):
 * the whole pack against the target, every request it sent recorded; then the floor, the same
 * requests replayed in the same order and with the same plans side by side, with a bare
 * keep-alive https client (one agent per credential set, as TLS client authentication needs)
 * and nothing else: no keys, no signing, no checks. Reports both wall times over IPC.
 */
import https from 'node:https';
import { writeFileSync } from 'node:fs';
import { runPack } from '../conformance/runner';
import { credentialSet } from '../conformance/agents';
import { replay } from './replay.mjs';
import type { SentRequest } from '../conformance/session';
import type { Target } from '../conformance/target';

export interface PackRound {
  target: Target;
  /** Where to write the requests the fresh run sent (JSON, 0600), for the bare script's replay (bench/bare-replay.mjs). */
  recordTo?: string;
}

export interface PackRoundResult {
  packMs: number;
  floorMs: number;
  /** The same requests one after another, nothing side by side: a bare script doing the exchanges sequentially. */
  seqFloorMs: number;
  /** A second run in the same process, keys already made, and its floor. */
  warmPackMs: number;
  warmFloorMs: number;
  exchanges: number;
  outcomes: Record<string, number>;
  /** Answers of the replay that were transport failures (none expected). */
  floorFailed: number;
  rssMiB: number;
}

/**
 * Replays the requests as the pack sent them: those of no plan (discovery, the SSA, the
 * pre-flight) one after another, then each plan's in order, the plans side by side as the pack
 * runs them (`concurrency` at a time).
 */
export async function floor(requests: readonly SentRequest[], concurrency = Infinity): Promise<{ ms: number; failed: number }> {
  const agents = new Map<string, https.Agent>();
  const agentFor = (r: SentRequest) => {
    const id = credentialSet(r);
    let a = agents.get(id);
    if (!a) agents.set(id, (a = new https.Agent({ keepAlive: true, scheduling: 'lifo' })));
    return a;
  };
  let failed = 0;
  const one = async (r: SentRequest) => {
    if (!(await replay(r, agentFor(r)))) failed++;
  };
  const setup = requests.filter((r) => !r.plan);
  const plans = new Map<string, SentRequest[]>();
  for (const r of requests) if (r.plan) plans.set(r.plan, [...(plans.get(r.plan) ?? []), r]);
  const queue = [...plans.values()];
  const started = performance.now();
  for (const r of setup) await one(r);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let group = queue.shift(); group; group = queue.shift()) for (const r of group) await one(r);
    }),
  );
  const ms = performance.now() - started;
  for (const a of agents.values()) a.destroy();
  return { ms, failed };
}

process.once('message', async ({ target, recordTo }: PackRound) => {
  try {
    const sent: SentRequest[] = [];
    const started = performance.now();
    const run = await runPack(target, { onRequest: (r) => sent.push(r) });
    const packMs = performance.now() - started;
    const outcomes: Record<string, number> = {};
    for (const r of run.results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const f = await floor(sent);
    const seq = await floor(sent, 1);
    if (recordTo) writeFileSync(recordTo, JSON.stringify(sent), { mode: 0o600 });
    // Again in the same process: the keys and the untrusted certificate are made by now.
    const again: SentRequest[] = [];
    const warmStarted = performance.now();
    await runPack(target, { onRequest: (r) => again.push(r) });
    const warmPackMs = performance.now() - warmStarted;
    const g = await floor(again);
    const result: PackRoundResult = {
      packMs,
      floorMs: f.ms,
      seqFloorMs: seq.ms,
      warmPackMs,
      warmFloorMs: g.ms,
      exchanges: sent.length,
      outcomes,
      floorFailed: f.failed + seq.failed + g.failed,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
    };
    process.send!(result, () => process.exit(0));
  } catch (e) {
    process.send!({ error: (e as Error).stack ?? String(e) }, () => process.exit(1));
  }
});
