/**
 * The benches' side of bench/load.ts: runs one round in the load-generator child and summarises
 * it (throughput, p50/p99 latency, failures, and the CPU this process spent per request: the
 * servers measured run here, one round at a time, so it is the server's CPU, plus handing the
 * round's bodies to the load generator); medians and the line each bench prints per server.
 * CPU per request moves far less than throughput when other work loads the machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Round, RoundResult } from './load';

export interface Result { rps: number; p50: number; p99: number; failed: number; cpuUs: number }

/** The load generator, a separate process: its TLS and HTTP work must not share the event loop of the server measured. */
export const loadGenerator = (): ChildProcess => fork(new URL('./load.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });

export function runIn(child: ChildProcess, round: Round): Promise<Result> {
  return new Promise((resolve, reject) => {
    const cpu = process.cpuUsage();
    child.once('message', (m: RoundResult | { error: string }) => {
      if ('error' in m) return reject(new Error(m.error));
      const used = process.cpuUsage(cpu);
      const latencies = [...m.latencies].sort((a, b) => a - b);
      const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
      resolve({ rps: round.bodies.length / m.seconds, p50: pct(50), p99: pct(99), failed: m.failed, cpuUs: (used.user + used.system) / round.bodies.length });
    });
    child.send(round);
  });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The round of median throughput. */
export const medianRound = (rs: Result[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!;
export const formatResult = (r: Result) => `${r.rps.toFixed(1).padStart(7)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  failed ${r.failed}`;
/** The median CPU per request over rounds. */
export const cpuOf = (rs: Result[]) => median(rs.map((r) => r.cpuUs));
/** The median over rounds of a/b, round by round: load from elsewhere drifts slower than one round. */
export const ratioOf = (a: Result[], b: Result[]) => median(a.map((x, i) => x.rps / b[i]!.rps));
/** The same comparison by CPU: b's CPU per request over a's, round by round (above 1: a needs less CPU than b). */
export const cpuRatioOf = (a: Result[], b: Result[]) => median(a.map((x, i) => b[i]!.cpuUs / x.cpuUs));
