/**
 * The Redis store beside memory, in one run: registrations per second on one bank in memory, one
 * bank on Redis, and two instances of one bank on Redis behind a round-robin client, as ratios.
 * Needs a Redis: REDIS_URL or STORE_URL (e.g. redis://127.0.0.1:6379). Keys under dcr:obie: are
 * cleared first: use a Redis of its own.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npm run bench:redis
 */
import { startMockBank, type MockBank } from '../mock-server/runtime';
import { generateBundle } from '../mock-server/tls/certs';
import { createTpp, type TestTpp } from '../fixtures/tpp';
import { httpsRequest } from '../fixtures/https';

const url = process.env.REDIS_URL || process.env.STORE_URL;
const N = Number(process.env.BENCH_N ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

async function run(label: string, banks: MockBank[], tpp: TestTpp): Promise<number> {
  const jwts = await Promise.all(Array.from({ length: N }, () => tpp.sign(tpp.claims({ aud: banks[0]!.config.bankOrgId }))));
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jwts.length) {
        const i = next++;
        const bank = banks[i % banks.length]!; // round-robin
        const res = await httpsRequest(bank.urls.register, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jwts[i]!, ca: bank.ca, client: tpp.transport });
        if (res.status !== 201) failed++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = N / seconds;
  console.log(`${label.padEnd(36)} ${rate.toFixed(1).padStart(8)} registrations/s${failed ? `  (${failed} not 201)` : ''}`);
  return rate;
}

async function main() {
  if (!url) {
    console.log('bench/redis: skipped: set REDIS_URL or STORE_URL (redis://host:port) to compare the Redis store with memory');
    return;
  }
  const certs = await generateBundle();
  const directory = await startMockBank({ role: 'directory', certs, logLevel: 'error' });
  const memory = await startMockBank({ certs, directoryUrl: directory.url, logLevel: 'error' });
  const r1 = await startMockBank({ certs, directoryUrl: directory.url, storeUrl: url, logLevel: 'error', storeLimits: { ...memory.config.storeLimits } });
  const r2 = await startMockBank({ certs, directoryUrl: directory.url, storeUrl: url, logLevel: 'error' });
  await r1.store.clear();
  try {
    const tpp = await createTpp(memory);
    console.log(`POST /register, ${N} requests, ${CONCURRENCY} at a time (obie profile, one standalone directory)`);
    const m = await run('memory, one instance', [memory], tpp);
    const one = await run('redis, one instance', [r1], tpp);
    const two = await run('redis, two instances (round-robin)', [r1, r2], tpp);
    console.log(`ratios to memory: redis one instance ${(one / m).toFixed(2)}x, redis two instances ${(two / m).toFixed(2)}x`);
  } finally {
    await r1.store.clear();
    await Promise.all([memory.close(), r1.close(), r2.close()]);
    await directory.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
