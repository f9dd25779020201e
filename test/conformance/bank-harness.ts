import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import { signingKey, type SigningKey } from '../../fixtures/keys';
import { runPack, type PackRun, type RunOptions } from '../../conformance/runner';
import { plans, planOf } from '../../conformance/plans';
import { checkById, checks } from '../../conformance/rules';
import { NOT_OBIE } from './proven-elsewhere';
import type { AuthMethod, Capabilities, Target } from '../../conformance/target';
import { localKeyTarget } from './servers/local-key-target';

/**
 * What the harnesses proving the pack on a bank it was not built beside share (independent-bank.test.ts,
 * second-bank-pack.test.ts): the target the pack is given, the bank's start options, and the three
 * verdicts on a run (the correct bank, a caught one-flag bug, an uncaught one).
 */

export interface CaughtRow<B extends string> {
  bug: B;
  /** The checks that must fail (a SHOULD check warns); no other check of the run may fail or warn. */
  expect: string[];
  /** Run only these checks of the expected checks' plans (an id prefix or a tag, as --filter); default the whole plans. */
  filter?: string;
  /** Checks the bug leaves unjudged (their control is not accepted): blocked, never passed. */
  blocked?: string[];
}

export interface UncaughtRow<B extends string> {
  bug: B;
  /** Where a check for it belongs: the run that shows no check fails. */
  plan: string;
  filter?: string;
  /** Checks the bug leaves unjudged (their control refused): blocked, never passed, though no check fails it. */
  blocked?: string[];
  why: string;
}

export interface BankWorld {
  certs: CertBundle;
  software: SigningKey;
  /** An ES256 key the software JWKS also holds: each advertised token_endpoint_auth_signing_alg is exercised. */
  es: SigningKey;
  issuer: string;
  keystoreHost: string;
  jwksEndpoint: string;
}

/** Certificates, the software key and the directory the bank trusts: the software JWKS on the directory keystore. */
export async function bankWorld(issuer: string, keystoreHost: string): Promise<BankWorld> {
  const [certs, software, es] = await Promise.all([generateBundle(), signingKey('PS256'), signingKey('ES256')]);
  return { certs, software, es, issuer, keystoreHost, jwksEndpoint: `https://${keystoreHost}/${certs.tpp.org_id}/${certs.tpp.software_id}.jwks` };
}

/**
 * The options both independent banks start with (the network simulated: the software JWKS held at its keystore URL).
 * publishAlg false: the software JWK without its alg member, as directory keystores publish keys (kty, kid, use): the
 * bank's algorithm list alone then decides which algorithms the key verifies.
 */
export function bankOptions<B>(w: BankWorld, bugs: B[], { publishAlg = true }: { publishAlg?: boolean } = {}) {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...directoryPublic } = w.certs.directoryKey;
  const unpublished = ({ alg: _alg, ...jwk }: SigningKey['publicJwk']) => jwk;
  const keys = [w.software.publicJwk, w.es.publicJwk];
  return {
    tls: { cert: w.certs.server.cert, key: w.certs.server.key, ca: w.certs.ca.cert },
    directory: { issuer: w.issuer, jwks: { keys: [directoryPublic] }, keystoreHost: w.keystoreHost },
    softwareJwks: new Map([[w.jwksEndpoint, { keys: publishAlg ? keys : keys.map(unpublished) }]]),
    bugs,
  };
}

/**
 * The pack mints its own SSAs with the directory key (local-key) naming the software JWKS on the
 * directory keystore, which the bank holds: every SSA check runs.
 */
export function bankTarget(w: BankWorld, url: string, authMethods: AuthMethod[]): Target {
  const capabilities: Capabilities = { management: true, operations: ['GET', 'PUT', 'DELETE'], authMethods, contentType: 'application/jose' };
  // With the ES256 key beside the software key: each advertised token_endpoint_auth_signing_alg is exercised.
  return { ...localKeyTarget(url, w.certs, w.software, { issuer: w.issuer, jwksEndpoint: w.jwksEndpoint }, capabilities), extraSigningKeys: [w.es.privateJwk] };
}

export const plansOf = (ids: readonly string[]) => plans.filter((p) => ids.some((id) => planOf(id) === p));
export const outcomes = (results: ReadonlyArray<{ id: string; outcome: string }>, ...wanted: string[]) => results.filter((r) => wanted.includes(r.outcome)).map((r) => r.id).sort();

/** The tables cover the bank's switches exactly, once each, and name only checks and plans that exist. */
export function expectTables<B extends string>(caught: readonly CaughtRow<B>[], uncaught: readonly UncaughtRow<B>[], bugs: readonly B[]): void {
  const tabled = [...caught, ...uncaught].map((r) => r.bug);
  expect([...tabled].sort()).toEqual([...bugs].sort());
  expect(caught.flatMap((r) => [...r.expect, ...(r.blocked ?? [])]).filter((id) => !checkById(id))).toEqual([]);
  for (const r of uncaught) expect(plans.map((p) => p.id)).toContain(r.plan);
}

/** The correct bank: the whole pack, every check passes but the declared skips, each skipped (with its message shown). */
export async function expectNoFalseFailure(target: Target, declaredSkips: Readonly<Record<string, string>>): Promise<PackRun> {
  const run = await runPack(target);
  expect(run.aborted).toBeUndefined();
  expect(run.results.length).toBeGreaterThan(100);
  // The checks of the other dialects (rfc7591, cdr, obf) are n/a against an OBIE bank: not run.
  expect(run.results.filter((r) => r.outcome === 'n/a').map((r) => r.id)).toEqual(NOT_OBIE(checks));
  const notPassed = run.results.filter((r) => r.outcome !== 'pass' && r.outcome !== 'n/a').map((r) => `${r.id} ${r.outcome}: ${r.message}`);
  expect(notPassed).toEqual(Object.keys(declaredSkips).map((id) => `${id} skip: ${run.results.find((r) => r.id === id)?.message}`));
  expect(run.rootCauses).toEqual([]);
  return run;
}

/** A one-flag bug: its checks fail (a SHOULD warns), nothing else of the filtered run fails or warns, the blocked list exact. */
export async function expectCaught<B extends string>(target: Target, row: CaughtRow<B>, declaredSkips: Readonly<Record<string, string>>): Promise<void> {
  const { expect: ids, filter, blocked = [] } = row;
  const opts: RunOptions = { plans: plansOf(ids), ...(filter ? { filter } : {}) };
  const run = await runPack(target, opts);
  for (const id of ids) {
    const r = run.results.find((x) => x.id === id);
    expect({ id, outcome: r?.outcome }).toEqual({ id, outcome: checkById(id)!.severity === 'SHOULD' ? 'warn' : 'fail' });
  }
  expect(outcomes(run.results, 'fail', 'warn')).toEqual([...ids].sort());
  expect(outcomes(run.results, 'blocked')).toEqual([...blocked].sort());
  expect(run.results.filter((r) => r.outcome === 'skip').every((r) => r.id in declaredSkips)).toBe(true);
}

/** A bug no check catches: the plan where its check belongs runs, and nothing fails or warns; nothing is blocked but the row's list. */
export async function expectUnseen<B extends string>(target: Target, row: UncaughtRow<B>): Promise<void> {
  const run = await runPack(target, { plans: plans.filter((p) => p.id === row.plan), ...(row.filter ? { filter: row.filter } : {}) });
  expect(run.results.length).toBeGreaterThan(0);
  expect(outcomes(run.results, 'fail', 'warn')).toEqual([]);
  expect(outcomes(run.results, 'blocked')).toEqual([...(row.blocked ?? [])].sort());
}

/**
 * The pack's target for a CDR data holder at discoveryUrl (cdr-bank.test.ts, wrong-servers-dialects.test.ts): the
 * world's transport certificates, SSAs signed here with the Register key naming the software JWKS of the world.
 */
export function cdrTarget(w: BankWorld, discoveryUrl: string, timeoutMs = 10_000): Target {
  const { certs } = w;
  return {
    dialect: 'cdr',
    discoveryUrl,
    specVersion: '3.3',
    transport: { cert: certs.tpp.cert, key: certs.tpp.key },
    altTransport: { cert: certs.altTpp!.cert, key: certs.altTpp!.key },
    ca: certs.ca.cert,
    insecure: false,
    signingKey: w.software.privateJwk,
    softwareId: certs.tpp.software_id,
    orgId: certs.tpp.org_id,
    redirectUris: ['https://adr.example.com/callback', 'https://adr.example.com/cb2'],
    roles: [],
    subjectDn: certs.tpp.dn,
    directory: { mode: 'local-key', key: certs.directoryKey, issuer: 'cdr-register', softwareJwksEndpoint: w.jwksEndpoint },
    capabilities: { management: true, operations: ['GET', 'PUT', 'DELETE'], authMethods: ['private_key_jwt'], contentType: 'application/jwt' },
    timeoutMs,
  };
}
