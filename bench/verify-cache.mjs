/**
 * node bench/verify-cache.mjs: one PS256 verification (RSA 2048, node:crypto) timed alone, and
 * timed again after the CPU caches have been churned between verifications by touching N MiB of
 * memory (1 and 8 by default; BENCH_CHURN_MIB=a,b to choose; BENCH_VERIFY_N verifications each), in the same run. Printed as ratios
 * to the verification alone. A server that allocates much per request churns its caches the same
 * way (every allocation is new memory until the collector reclaims it): this is why the same two
 * signature checks cost the mock about 1.4-2x what they cost the bare server (docs/performance.md).
 */
import { generateKeyPairSync, sign, verify, constants } from 'node:crypto';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const data = Buffer.alloc(1500, 7);
const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
const sig = sign('sha256', data, { key: privateKey, ...pss });
const N = Number(process.env.BENCH_VERIFY_N ?? 3000); // verifications per measurement
let sink = 0;

/** Median over 3 runs of the mean microseconds per verification, `mib` of memory touched before each. */
function measure(mib) {
  const junk = new Float64Array((mib * 1024 * 1024) / 8);
  const runs = [];
  for (let round = 0; round < 3; round++) {
    let ns = 0n;
    for (let i = 0; i < N; i++) {
      // One write per 64-byte line, so every line of `junk` passes through the caches.
      for (let j = i % 8; j < junk.length; j += 8) sink += junk[j]++;
      const t = process.hrtime.bigint();
      verify('sha256', data, { key: publicKey, ...pss }, sig);
      ns += process.hrtime.bigint() - t;
    }
    runs.push(Number(ns) / N / 1000);
  }
  return runs.sort((a, b) => a - b)[1];
}

const churn = (process.env.BENCH_CHURN_MIB ?? '1,8').split(',').map(Number).filter((n) => n > 0);
const alone = measure(0);
console.log(`PS256 verify (RSA 2048): ${alone.toFixed(1)} us alone (the baseline, same run)`);
for (const mib of churn) {
  const us = measure(mib);
  console.log(`  ${String(mib).padStart(3)} MiB touched between verifications: ${us.toFixed(1)} us, ${(us / alone).toFixed(2)}x the baseline`);
}
if (sink === -1) console.log(sink); // keeps the churn loop from being optimised away
