import https from 'node:https';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { signingKey, type SigningKey } from '../../fixtures/keys';
import { runPack } from '../../conformance/runner';
import { openSession } from '../../conformance/session';
import { ssaPlan } from '../../conformance/plans/ssa.plan';
import { checkById } from '../../conformance/rules';
import { loadTarget, TargetConfigError, type Target } from '../../conformance/target';
import { HOST_LIMITS, startJwksHost } from '../../conformance/jwks-host';
import { startSecondBank, type SecondBankBug } from './servers/second-bank';
import { startStrictBank, type Bug } from './servers/strict-bank';
import { localKeyTarget } from './servers/local-key-target';

/**
 * The SSA sweep (conformance/sweep/ssa.ts) and the pack's own JWKS host (conformance/jwks-host.ts):
 * the second bank, correct, passes the whole SSA plan; each of its trust-chain switches is caught by
 * the rows that target it and by nothing else of the plan; SSA-JWKS-OTHER-HOST fails a bank that
 * accepts the SSA (the strict bank's bug, which fetches) and one that refuses but connected first
 * (the second bank's, whose fetch fails on the host's certificate); the host keeps its limits.
 */

const ISSUER = 'SSA Sweep Test Directory';
const KEYSTORE = 'keystore.ssa-sweep.test';

let certs: CertBundle;
let software: SigningKey;
let jwksEndpoint: string;
let directoryPublic: JWK;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [certs, software] = await Promise.all([generateBundle(), signingKey('PS256')]);
  jwksEndpoint = `https://${KEYSTORE}/${certs.tpp.org_id}/${certs.tpp.software_id}.jwks`;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = certs.directoryKey;
  directoryPublic = pub;
}, 60_000);
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

const bankOptions = () => ({
  tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert },
  directory: { issuer: ISSUER, jwks: { keys: [directoryPublic] }, keystoreHost: KEYSTORE },
  softwareJwks: new Map([[jwksEndpoint, { keys: [software.publicJwk] }]]),
});

async function secondBank(bugs: SecondBankBug[] = []): Promise<string> {
  const b = await startSecondBank({ ...bankOptions(), bugs });
  closers.push(() => b.close());
  return b.url;
}
async function strictBank(bugs: Bug[] = []): Promise<string> {
  const b = await startStrictBank({ ...bankOptions(), bugs });
  closers.push(() => b.close());
  return b.url;
}

/** The pack mints its own SSAs with the directory key (local-key), naming the software JWKS on the directory keystore. */
const target = (url: string): Target =>
  localKeyTarget(url, certs, software, { issuer: ISSUER, jwksEndpoint }, { management: false, operations: [], authMethods: ['tls_client_auth'], contentType: 'application/jose' });

const ssaRun = async (url: string) => (await runPack(target(url), { plans: [ssaPlan] })).results;
const notPassed = (results: ReadonlyArray<{ id: string; outcome: string }>) => results.filter((r) => r.outcome !== 'pass').map((r) => r.id).sort();
const outcome = (id: string) => (checkById(id)!.severity === 'SHOULD' ? 'warn' : 'fail');

const HS256_ROWS = ['SSA-HS256-PUBLIC-KEY', 'SSA-HS256-PUBLIC-KEY-PEM-NO-NEWLINE', 'SSA-HS256-PUBLIC-KEY-SPKI-DER', 'SSA-HS256-PUBLIC-KEY-PKCS1-PEM', 'SSA-HS256-PUBLIC-KEY-PKCS1-DER', 'SSA-HS256-PUBLIC-KEY-JWK-JSON'];

/** The second bank's SSA and key-provenance switches, and the rows each must fail (no other row of the SSA plan may). */
const SECOND_BANK_SSA: Array<{ bug: SecondBankBug; expect: string[] }> = [
  // Its unpinned fetch trusts only its own CA: the pack's host fails the handshake, so the bank refuses, but it connected.
  { bug: 'jwks-host-unpinned', expect: ['SSA-JWKS-OTHER-HOST'] },
  { bug: 'ssa-iss-unchecked', expect: ['SSA-OTHER-ISS-REAL-KEY', 'SSA-ISS-MISSING', 'SSA-ISS-CASE'] },
  // Nothing of the header is looked at either (the key-carrying headers are refused inside the verification).
  {
    bug: 'ssa-signature-unchecked',
    expect: ['SSA-WRONG-KEY', 'SSA-ALG-NONE', 'SSA-ALG-HS256', 'SSA-ALG-CASE', 'SSA-KID-ABSENT', 'SSA-UNKNOWN-KID', 'SSA-REAL-KEY-UNKNOWN-KID', 'SSA-SIGNATURE-STRIPPED', 'SSA-SIGNATURE-ALTERED', 'SSA-EMBEDDED-JWK', 'SSA-EMBEDDED-X5C', 'SSA-JKU', ...HS256_ROWS],
  },
  // exp is not looked at at all: neither its value nor its type.
  { bug: 'ssa-exp-unchecked', expect: ['SSA-EXPIRED', 'SSA-EXP-STRING'] },
];

describe('the second bank', () => {
  test('correct: every check of the SSA plan passes, SSA-JWKS-OTHER-HOST refused without a connection', async () => {
    const results = await ssaRun(await secondBank());
    expect(results.filter((r) => r.outcome !== 'pass').map((r) => `${r.id} ${r.outcome}: ${r.message}`)).toEqual([]);
    expect(results.length).toBe(ssaPlan.checks.length);
    expect(results.find((r) => r.id === 'SSA-JWKS-OTHER-HOST')?.message).toMatch(/without contacting/);
  }, 60_000);

  test.each(SECOND_BANK_SSA)('$bug: caught by $expect and nothing else', async ({ bug, expect: ids }) => {
    const results = await ssaRun(await secondBank([bug]));
    for (const id of ids) expect({ id, outcome: results.find((r) => r.id === id)?.outcome }).toEqual({ id, outcome: outcome(id) });
    expect(notPassed(results)).toEqual([...ids].sort());
    if (bug === 'jwks-host-unpinned') {
      const r = results.find((x) => x.id === 'SSA-JWKS-OTHER-HOST')!;
      expect(r.evidence.status).toBe(400);
      expect((r.evidence.actual as { connections: number }).connections).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe('SSA-JWKS-OTHER-HOST against the strict bank', () => {
  test('correct: refused without a connection', async () => {
    const results = await ssaRun(await strictBank());
    expect(notPassed(results)).toEqual([]);
  }, 60_000);

  test('ssa-jwks-host-unchecked: it fetched the software JWKS from the pack\'s host and registered the client', async () => {
    const results = await ssaRun(await strictBank(['ssa-jwks-host-unchecked']));
    expect(notPassed(results)).toEqual(['SSA-JWKS-OTHER-HOST']);
    const r = results.find((x) => x.id === 'SSA-JWKS-OTHER-HOST')!;
    expect(r.outcome).toBe('fail');
    expect(r.evidence.status).toBe(201);
    expect((r.evidence.actual as { requests: string[] }).requests).toEqual([expect.stringMatching(/^GET \/[0-9a-f-]{36}\/software\.jwks$/)]);
    expect(r.quote?.text).toMatch(/must be agreed between the SSA issuer and its consumers/);
  }, 60_000);
});

describe("the pack's JWKS host", () => {
  const get = (url: string, opts: https.RequestOptions = {}, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(url, { rejectUnauthorized: false, agent: false, ...opts }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });

  test('serves what it is given on 127.0.0.1, records connections and requests, refuses bodies and other methods, keeps its limits', async () => {
    const host = await startJwksHost();
    try {
      expect(host.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const since = Date.now();
      const url = host.serve('/a/software.jwks', { keys: [software.publicJwk] });
      const ok = await get(url);
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.text)).toEqual({ keys: [software.publicJwk] });
      expect((await get(`${host.origin}/nothing-here`)).status).toBe(404);
      expect((await get(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, '{"a":1}')).status).toBe(405);
      const seen = host.seen(since);
      expect(seen.filter((h) => h.kind === 'connection')).toHaveLength(3);
      expect(seen.filter((h) => h.kind === 'request').map((h) => `${h.method} ${h.path}`)).toEqual(['GET /a/software.jwks', 'GET /nothing-here', 'POST /a/software.jwks']);
      expect(() => host.serve('/big', { pad: 'x'.repeat(HOST_LIMITS.documentBytes) })).toThrow(/limited/);
      // A connection that sends nothing is closed by the server's timeout.
      const idle = net.connect(Number(new URL(host.origin).port), '127.0.0.1');
      await new Promise<void>((resolve) => idle.on('close', () => resolve()));
    } finally {
      host.close();
    }
  }, 20_000);

  test('stopped when the session closes', async () => {
    const session = await openSession(target(await strictBank()), { prewarm: false });
    const host = await session.jwksHost();
    const port = Number(new URL(host.origin).port);
    session.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve('connected'));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(error).toBe('ECONNREFUSED');
    await expect(session.jwksHost()).rejects.toThrow(/closed/);
  }, 30_000);

  test('jwksHostUrl / jwksHostBind: read from the config or the environment, validated naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcr-ssa-host-'));
    writeFileSync(join(dir, 'tpp.pem'), certs.tpp.cert);
    writeFileSync(join(dir, 'tpp.key'), certs.tpp.key);
    const file = join(dir, 't.json');
    writeFileSync(file, JSON.stringify({ discoveryUrl: 'https://bank.example/.well-known/openid-configuration', transportCert: 'tpp.pem', transportKey: 'tpp.key', directoryUrl: 'https://bank.example/directory' }));
    expect(loadTarget({ configFile: file, env: {} }).jwksHost).toBeUndefined();
    expect(loadTarget({ configFile: file, env: { DCR_JWKS_HOST_URL: 'https://pack.example:8443', DCR_JWKS_HOST_BIND: '0.0.0.0:8443' } }).jwksHost).toEqual({ publicUrl: 'https://pack.example:8443', bind: '0.0.0.0:8443' });
    expect(() => loadTarget({ configFile: file, env: { DCR_JWKS_HOST_BIND: 'no-port' } })).toThrow(TargetConfigError);
    expect(() => loadTarget({ configFile: file, env: { DCR_JWKS_HOST_URL: 'https://pack.example/some/path' } })).toThrow(/jwksHostUrl/);
    expect(() => loadTarget({ configFile: file, env: { DCR_JWKS_HOST_URL: 'http://pack.example' } })).toThrow(/DCR_JWKS_HOST_URL/);
  });
});
