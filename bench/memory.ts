/**
 * npm run bench:memory: the mock's memory and registration throughput with many live clients.
 * One client is registered over HTTPS; the store is then filled with copies of its record (each
 * its own client_id, secret and issue time: what 100k registrations leave in the store), and
 * - RSS per client: the process's RSS after a full GC, from 0 to BENCH_MEMORY_CLIENTS (default
 *   100k) live clients, divided by their number (target <= 8 KB);
 * - no cliff: POST /register over HTTPS + mTLS at 0, 50k, 100k and 150k live clients, each round
 *   beside the bare server of bench/bare-register.ts (whose own store stays small) so that the
 *   machine's load drifting falls on both; printed as the mock/bare ratio at each size against the
 *   ratio at 0.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { JWK } from 'jose';
import type { Round } from './load';
import { loadGenerator, median, runIn } from './rounds';
import { startMockBank } from '../mock-server/runtime';
import { createTpp } from '../fixtures/tpp';
import { startBareRegister } from './bare-register';
import { setting } from './settings';

const CLIENTS = setting('BENCH_MEMORY_CLIENTS', 100_000);
const N = setting('BENCH_N', 800);
const ROUNDS = setting('BENCH_ROUNDS', 3);
const WARMUP = setting('BENCH_WARMUP', 2000);
const CONCURRENCY = setting('BENCH_CONCURRENCY', 16);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const rss = () => {
  gc();
  gc();
  return process.memoryUsage().rss;
};

async function main() {
  const sizes = [0, Math.round(CLIENTS / 2), CLIENTS, Math.round(CLIENTS * 1.5)];
  const max = sizes.at(-1)! + 10 * (WARMUP + ROUNDS * N);
  const bank = await startMockBank({ logLevel: 'silent', storeLimits: { clients: max, clientBytes: 64 * 1024 * 1024 * 1024 } as never });
  const tpp = await createTpp(bank);
  const first = await tpp.register(await tpp.sign(tpp.claims()));
  if (first.status !== 201) throw new Error(`registration failed: ${first.status}`);
  const template = (await bank.store.getClient((first.json as { client_id: string }).client_id))!;
  const bare = await startBareRegister({
    tls: { key: bank.certs.server.key, cert: bank.certs.server.cert, ca: [bank.ca] },
    directory: { issuer: tpp.minted.claims.iss as string, jwk: bank.directory.jwks().keys[0] as JWK },
    softwareJwk: tpp.key.publicJwk,
    audience: bank.issuer,
  });
  const child = loadGenerator();
  const tls = { ca: bank.ca, cert: bank.tpp.cert, key: bank.tpp.key };
  const signed = (n: number) => Promise.all(Array.from({ length: n }, () => tpp.sign(tpp.claims())));
  const round = async (url: string, n: number): Promise<Round> => ({ url, bodies: await signed(n), concurrency: CONCURRENCY, tls });
  const mockUrl = bank.urls.register;
  const bareUrl = `https://127.0.0.1:${bare.port}/register`;
  await runIn(child, await round(mockUrl, WARMUP));
  await runIn(child, await round(bareUrl, Math.ceil(WARMUP / 2)));

  let live = 0;
  const fill = async (to: number) => {
    for (; live < to; live++) {
      await bank.store.createClient({ ...template, client_id: randomUUID(), client_secret: randomBytes(24).toString('base64url'), client_id_issued_at: template.client_id_issued_at + live });
    }
  };
  const rows: string[] = [];
  let ratioAt0 = 0;
  let rssAt0 = 0;
  let rssAtClients = 0;
  // Clients in the store: the copies, the first registration and every one the rounds made.
  let registered = 1;
  let clientsAt0 = 0;
  let clientsAtClients = 0;
  let failed = 0;
  for (const size of sizes) {
    await fill(size);
    const r = rss();
    if (size === 0) [rssAt0, clientsAt0] = [r, live + registered];
    if (size === CLIENTS) [rssAtClients, clientsAtClients] = [r, live + registered];
    const ratios: number[] = [];
    const mocks: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const m = await runIn(child, await round(mockUrl, N));
      const b = await runIn(child, await round(bareUrl, N));
      failed += m.failed + b.failed;
      registered += N - m.failed;
      mocks.push(m.rps);
      ratios.push(m.rps / b.rps);
    }
    const ratio = median(ratios);
    if (size === 0) ratioAt0 = ratio;
    rows.push(`  ${String(size).padStart(7)} live: RSS ${(r / 2 ** 20).toFixed(0).padStart(5)} MiB  register ${median(mocks).toFixed(0).padStart(5)} req/s  vs bare ${ratio.toFixed(2)}x  against 0 live: ${(ratio / ratioAt0).toFixed(2)}`);
  }
  const perClient = (rssAtClients - rssAt0) / (clientsAtClients - clientsAt0);
  console.log(`mock bank with many live clients (records as registered, the store in memory), ${ROUNDS} interleaved rounds of ${N} registrations per size beside the bare server (median), concurrency ${CONCURRENCY}`);
  for (const row of rows) console.log(row);
  console.log(`  RSS per client: ${(perClient / 1024).toFixed(2)} KB at ${clientsAtClients} live clients (RSS after a full GC, less the RSS at 0; target <= 8 KB); record ${(JSON.stringify(template).length / 1024).toFixed(2)} KB as JSON`);
  child.disconnect();
  await Promise.all([bare.close(), bank.close()]);
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
