/**
 * npm run bench:token: client_credentials grants per second at POST /token (private_key_jwt over
 * mTLS, the token bound to the certificate), beside a bare node:https + node:crypto token endpoint
 * doing the same work (bench/bare-token.ts), in interleaved rounds of the same run. Every
 * assertion is signed beforehand; the load comes from a separate process (bench/load.ts).
 */
import type { Round } from './load';
import { cpuOf, cpuRatioOf, formatResult, loadGenerator, medianRound, ratioOf, runIn, type Result } from './rounds';
import { startMockBank } from '../mock-server/runtime';
import { createTpp } from '../fixtures/tpp';
import { clientAssertion, registerClient } from '../fixtures/token';
import { JWT_BEARER_ASSERTION } from '../mock-server/core/token';
import { startBareToken } from './bare-token';
import { setting } from './settings';

const N = setting('BENCH_N', 1500);
const CONCURRENCY = setting('BENCH_CONCURRENCY', 16);
const ROUNDS = setting('BENCH_ROUNDS', 5);
const WARMUP = setting('BENCH_WARMUP', 3000);

async function main() {
  const bank = await startMockBank({ logLevel: 'silent' });
  const tpp = await createTpp(bank);
  const client = await registerClient(tpp, 'private_key_jwt');
  const bare = await startBareToken({
    tls: { key: bank.certs.server.key, cert: bank.certs.server.cert, ca: [bank.ca] },
    client: { client_id: client.client_id, jwk: tpp.key.publicJwk },
    audience: bank.urls.token,
  });
  // The same assertion claims for both (aud is the mock's token URL, which the bare server checks too).
  const form = async () => new URLSearchParams({ grant_type: 'client_credentials', scope: 'accounts', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: await clientAssertion(bank, client) }).toString();
  const forms = (n: number) => Promise.all(Array.from({ length: n }, form));
  const child = loadGenerator();
  const tls = { ca: bank.ca, cert: bank.tpp.cert, key: bank.tpp.key };
  const urls = { mock: bank.urls.token, bare: `https://127.0.0.1:${bare.port}/token` };
  const round = async (url: string, n: number): Promise<Round> => ({ url, bodies: await forms(n), concurrency: CONCURRENCY, tls, contentType: 'application/x-www-form-urlencoded', expect: 200 });
  await runIn(child, await round(urls.mock, WARMUP));
  await runIn(child, await round(urls.bare, Math.ceil(WARMUP / 2)));
  const mocks: Result[] = [];
  const bares: Result[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    mocks.push(await runIn(child, await round(urls.mock, N)));
    bares.push(await runIn(child, await round(urls.bare, N)));
  }
  const f = (rs: Result[]) => `${formatResult(medianRound(rs))}  CPU ${cpuOf(rs).toFixed(0)} us/req`;
  console.log(`POST /token (client_credentials, private_key_jwt, mTLS-bound token), ${ROUNDS} interleaved rounds of ${N} requests each (median shown), concurrency ${CONCURRENCY}, HTTPS, keep-alive, load from a separate process`);
  console.log(`  mock bank  : ${f(mocks)}`);
  console.log(`  bare server: ${f(bares)}  (node:https + node:crypto, bench/bare-token.ts)`);
  console.log(`  vs bare    : ${ratioOf(mocks, bares).toFixed(2)}x by throughput, ${cpuRatioOf(mocks, bares).toFixed(2)}x by CPU per request (medians of the rounds' ratios)`);
  console.log(`  by round   : ${mocks.map((m, i) => `${m.rps.toFixed(0)}/${bares[i]!.rps.toFixed(0)}`).join(', ')} (mock/bare req/s)`);
  child.disconnect();
  await Promise.all([bare.close(), bank.close()]);
  if ([...mocks, ...bares].some((r) => r.failed)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
