/**
 * npm run bench: registrations per second and p50/p99 latency of POST /register over HTTPS with
 * mTLS at a fixed concurrency, beside a bare node:https mTLS server that only verifies the same
 * two signatures (SSA + request JWS, via jose) per request. Every request is signed beforehand.
 */
import https from 'node:https';
import { fork, type ChildProcess } from 'node:child_process';
import type { Round, RoundResult } from './load';
import type { AddressInfo } from 'node:net';
import { compactVerify, importJWK, type JWK } from 'jose';
import { startMockBank } from '../mock-server/runtime';
import { createTpp } from '../fixtures/tpp';
import { setting } from './settings';

const N = setting('BENCH_N', 2000);
const CONCURRENCY = setting('BENCH_CONCURRENCY', 16);
const ROUNDS = setting('BENCH_ROUNDS', 7);
// Requests sent to each server before the measured rounds. The mock runs far more code than the
// baseline (Express, the rule checks) and V8 takes a couple of thousand requests to optimise it:
// with 100, its later rounds were up to twice as fast as its first, and the ratio measured
// warm-up rather than steady state.
const WARMUP = setting('BENCH_WARMUP', 4000);

interface Result { rps: number; p50: number; p99: number; failed: number }

/** Runs one round in the load-generator child process. */
function runIn(child: ChildProcess, round: Round): Promise<Result> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: RoundResult | { error: string }) => {
      if ('error' in m) return reject(new Error(m.error));
      const latencies = [...m.latencies].sort((a, b) => a - b);
      const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
      resolve({ rps: round.bodies.length / m.seconds, p50: pct(50), p99: pct(99), failed: m.failed });
    });
    child.send(round);
  });
}

async function main() {
  const bank = await startMockBank({ logLevel: 'silent' });
  const tpp = await createTpp(bank);
  const sign = async () => tpp.sign(tpp.claims());
  const warmup = await Promise.all(Array.from({ length: 2 * WARMUP }, sign));
  // Distinct bodies for every round of both servers: the mock refuses a replayed jti.
  const mockRounds = await Promise.all(Array.from({ length: ROUNDS }, () => Promise.all(Array.from({ length: N }, sign))));
  const baseRounds = await Promise.all(Array.from({ length: ROUNDS }, () => Promise.all(Array.from({ length: N }, sign))));

  // Baseline: the same TLS setup, and only the two signature verifications per request.
  const directoryJwk = bank.directory.jwks().keys[0] as JWK;
  const softwareJwk = tpp.key.publicJwk;
  const [directoryKey, softwareKey] = await Promise.all([importJWK(directoryJwk, 'PS256'), importJWK(softwareJwk, 'PS256')]);
  const baseline = https.createServer({ key: bank.certs.server.key, cert: bank.certs.server.cert, ca: [bank.ca], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const jws = Buffer.concat(chunks).toString('utf8');
        const { payload } = await compactVerify(jws, softwareKey, { algorithms: ['PS256'] });
        const claims = JSON.parse(new TextDecoder().decode(payload)) as { software_statement: string };
        await compactVerify(claims.software_statement, directoryKey, { algorithms: ['PS256'] });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"client_id":"x"}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', () => r()));
  const basePort = (baseline.address() as AddressInfo).port;

  // The load generator is a separate process: its TLS and HTTP work must not share the event loop
  // of the server being measured.
  const child = fork(new URL('./load.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
  const tls = { ca: bank.ca, cert: bank.tpp.cert, key: bank.tpp.key };
  const round = (url: string, bodies: string[]): Round => ({ url, bodies, concurrency: CONCURRENCY, tls });
  const mockUrl = `https://127.0.0.1:${bank.port}/register`;
  const baseUrl = `https://127.0.0.1:${basePort}/register`;
  await runIn(child, round(mockUrl, warmup.slice(0, WARMUP)));
  await runIn(child, round(baseUrl, warmup.slice(WARMUP)));

  // Interleaved rounds, so that warm-up, GC and other load on the machine fall on both alike;
  // each side reports its median round.
  const mocks: Result[] = [];
  const bases: Result[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    mocks.push(await runIn(child, round(mockUrl, mockRounds[i]!)));
    bases.push(await runIn(child, round(baseUrl, baseRounds[i]!)));
  }
  const median = (rs: Result[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!;
  const mock = median(mocks);
  const base = median(bases);
  const f = (r: Result) => `${r.rps.toFixed(1)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  failed ${r.failed}`;
  console.log(`POST /register, ${ROUNDS} interleaved rounds of ${N} distinct signed requests each (median shown), concurrency ${CONCURRENCY}, HTTPS + mTLS, keep-alive, load from a separate process`);
  console.log(`  mock bank : ${f(mock)}`);
  console.log(`  baseline  : ${f(base)}`);
  console.log(`  ratio     : ${((mock.rps / base.rps) * 100).toFixed(0)}% of baseline throughput (target >= 60%)`);
  console.log(`  by round  : ${mocks.map((m, i) => `${m.rps.toFixed(0)}/${bases[i]!.rps.toFixed(0)} = ${((m.rps / bases[i]!.rps) * 100).toFixed(0)}%`).join(', ')}`);
  child.disconnect();
  baseline.close();
  await bank.close();
  if ([...mocks, ...bases].some((r) => r.failed)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
