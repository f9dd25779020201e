/**
 * npm run bench:register: registrations per second and p50/p99 latency of POST /register over
 * HTTPS with mTLS, at each concurrency (default 16 and 64), beside two baselines measured in the
 * same run, in interleaved rounds:
 * - a bare node:https + node:crypto registration server doing the same work (bench/bare-register.ts:
 *   mTLS, both signatures verified, the claims checked, the client stored, a 201 with it);
 * - node-oidc-provider's JSON registration (RFC 7591 without signatures: a metadata document in,
 *   a client with its secret and registration access token out), as shipped.
 * Every request is signed beforehand; the load comes from a separate process (bench/load.ts).
 */
import type { Round } from './load';
import { cpuOf, cpuRatioOf, formatResult, loadGenerator, medianRound, ratioOf, runIn, type Result } from './rounds';
import type { JWK } from 'jose';
import { startMockBank, type StartOptions } from '../mock-server/runtime';
import { createTpp } from '../fixtures/tpp';
import { startBareRegister } from './bare-register';
import { setting } from './settings';

const N = setting('BENCH_N', 1500);
const CONCURRENCIES = process.env.BENCH_CONCURRENCY ? [setting('BENCH_CONCURRENCY', 16)] : [16, 64];
const ROUNDS = setting('BENCH_ROUNDS', 5);
// Requests sent to each server before the measured rounds. The mock runs far more code than the
// baseline (Express, the rule checks) and V8 takes a couple of thousand requests to optimise it:
// with 100, its later rounds were up to twice as fast as its first, and the ratio measured
// warm-up rather than steady state.
const WARMUP = setting('BENCH_WARMUP', 3000);

async function main() {
  // Room for every client the run registers (the default bound, 10,000, would refuse the last rounds with 503).
  const clients = WARMUP + ROUNDS * N * CONCURRENCIES.length + 1000;
  const bank = await startMockBank({ logLevel: 'silent', storeLimits: { clients, clientBytes: clients * 64 * 1024 } as StartOptions['storeLimits'] });
  const tpp = await createTpp(bank);
  const sign = async () => tpp.sign(tpp.claims());
  const signed = (n: number) => Promise.all(Array.from({ length: n }, sign));
  const directory = bank.directory.jwks().keys[0] as JWK;
  const bare = await startBareRegister({
    tls: { key: bank.certs.server.key, cert: bank.certs.server.cert, ca: [bank.ca] },
    directory: { issuer: tpp.minted.claims.iss as string, jwk: directory },
    softwareJwk: tpp.key.publicJwk,
    audience: bank.issuer,
  });
  // node-oidc-provider warns, on loading and on start, of a Node release older than it prefers and
  // of its in-memory adapter: both known here, neither a failure of the bench.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => (String(args[0]).startsWith('oidc-provider WARNING') ? undefined : warn(...args));
  const { startOidcProvider } = await import('../test/conformance/servers/oidc-provider');
  const op = await startOidcProvider();
  console.warn = warn;
  const opRegister = `${op.issuer}/reg`; // node-oidc-provider's default registration path
  const metadata = JSON.stringify({ redirect_uris: tpp.redirectUris.slice(0, 1), grant_types: ['authorization_code', 'client_credentials'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', client_name: 'bench TPP' });

  const child = loadGenerator();
  const tls = { ca: bank.ca, cert: bank.tpp.cert, key: bank.tpp.key };
  const targets = {
    mock: { url: `https://127.0.0.1:${bank.port}/register`, bodies: signed },
    bare: { url: `https://127.0.0.1:${bare.port}/register`, bodies: signed },
    op: { url: opRegister, bodies: async (n: number) => Array.from({ length: n }, () => metadata), contentType: 'application/json', ca: op.ca },
  };
  type Name = keyof typeof targets;
  const round = async (name: Name, n: number, concurrency: number): Promise<Round> => {
    const t = targets[name];
    return { url: t.url, bodies: await t.bodies(n), concurrency, tls: { ...tls, ...('ca' in t ? { ca: t.ca } : {}) }, ...('contentType' in t ? { contentType: t.contentType } : {}) };
  };
  for (const name of ['mock', 'bare', 'op'] as const) await runIn(child, await round(name, name === 'mock' ? WARMUP : Math.ceil(WARMUP / 2), CONCURRENCIES[0]!));

  console.log(`POST /register, ${ROUNDS} interleaved rounds of ${N} requests per server and concurrency (median shown), HTTPS, keep-alive, load from a separate process`);
  console.log('  mock bank    : signed request + SSA, mTLS, the full rule set, the journal');
  console.log('  bare server  : node:https + node:crypto, mTLS, both signatures verified, aud/exp/jti checked, stored in a Map (bench/bare-register.ts)');
  console.log('  oidc-provider: node-oidc-provider, RFC 7591 JSON registration (no signatures), as shipped');
  let failed = 0;
  for (const concurrency of CONCURRENCIES) {
    const results: Record<Name, Result[]> = { mock: [], bare: [], op: [] };
    for (let i = 0; i < ROUNDS; i++) {
      // Interleaved, so that warm-up, GC and other load on the machine fall on every server alike.
      for (const name of ['mock', 'bare', 'op'] as const) results[name].push(await runIn(child, await round(name, N, concurrency)));
    }
    const f = (rs: Result[]) => `${formatResult(medianRound(rs))}  CPU ${cpuOf(rs).toFixed(0)} us/req`;
    const vs = (other: Name) => `${ratioOf(results.mock, results[other]).toFixed(2)}x by throughput, ${cpuRatioOf(results.mock, results[other]).toFixed(2)}x by CPU per request`;
    console.log(`concurrency ${concurrency}:`);
    console.log(`  mock bank       : ${f(results.mock)}`);
    console.log(`  bare server     : ${f(results.bare)}`);
    console.log(`  oidc-provider   : ${f(results.op)}`);
    console.log(`  vs bare         : ${vs('bare')} (medians of the rounds' ratios; target >= 0.7x)`);
    console.log(`  vs oidc-provider: ${vs('op')} (target >= 1x)`);
    console.log(`  by round        : ${results.mock.map((m, i) => `${m.rps.toFixed(0)}/${results.bare[i]!.rps.toFixed(0)}/${results.op[i]!.rps.toFixed(0)}`).join(', ')} (mock/bare/oidc-provider req/s)`);
    failed += [...results.mock, ...results.bare, ...results.op].reduce((a, r) => a + r.failed, 0);
  }
  child.disconnect();
  await Promise.all([bare.close(), op.close(), bank.close()]);
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
