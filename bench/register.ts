/**
 * npm run bench: registrations per second and p50/p99 latency of POST /register over HTTPS with
 * mTLS at a fixed concurrency, beside a bare node:https mTLS server that only verifies the same
 * two signatures (SSA + request JWS, via jose) per request. Every request is signed beforehand.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { compactVerify, importJWK, type JWK } from 'jose';
import { startMockBank } from '../mock-server/runtime';
import { createTpp } from '../fixtures/tpp';

const N = Number(process.env.BENCH_N ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

interface Result { rps: number; p50: number; p99: number; failed: number }

async function run(url: string, bodies: string[], agent: https.Agent): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const one = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const t = process.hrtime.bigint();
      const req = https.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/jose', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 201) failed++;
          resolve(Number(process.hrtime.bigint() - t) / 1e6);
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) latencies.push(await one(bodies[next++]!));
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { rps: bodies.length / seconds, p50: pct(50), p99: pct(99), failed };
}

async function main() {
  const bank = await startMockBank({ logLevel: 'silent' });
  const tpp = await createTpp(bank);
  const sign = async () => tpp.sign(tpp.claims());
  const warmup = await Promise.all(Array.from({ length: 20 }, sign));
  const mockBodies = await Promise.all(Array.from({ length: N }, sign));
  const baseBodies = await Promise.all(Array.from({ length: N }, sign));

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

  const agent = () => new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: bank.ca, cert: bank.tpp.cert, key: bank.tpp.key });
  const mockAgent = agent();
  const baseAgent = agent();
  const mockUrl = `https://127.0.0.1:${bank.port}/register`;
  const baseUrl = `https://127.0.0.1:${basePort}/register`;
  // TLS servername: the server certificate names localhost and 127.0.0.1.
  await run(mockUrl, warmup.slice(0, 10), mockAgent);
  await run(baseUrl, warmup.slice(10), baseAgent);

  const mock = await run(mockUrl, mockBodies, mockAgent);
  const base = await run(baseUrl, baseBodies, baseAgent);
  const f = (r: Result) => `${r.rps.toFixed(1)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  failed ${r.failed}`;
  console.log(`POST /register, ${N} distinct signed requests, concurrency ${CONCURRENCY}, HTTPS + mTLS, keep-alive`);
  console.log(`  mock bank : ${f(mock)}`);
  console.log(`  baseline  : ${f(base)}`);
  console.log(`  ratio     : ${((mock.rps / base.rps) * 100).toFixed(0)}% of baseline throughput (target >= 60%)`);
  mockAgent.destroy();
  baseAgent.destroy();
  baseline.close();
  await bank.close();
  if (mock.failed || base.failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
