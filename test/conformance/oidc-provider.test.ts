import { runPack, type PackRun } from '../../conformance/runner';
import { checks } from '../../conformance/rules';
import { dialectsOf } from '../../conformance/dialects';
import { resolveTarget, type Target } from '../../conformance/target';
import { startOidcProvider, type RunningProvider } from './servers/oidc-provider';
import { FOREIGN } from '../../integration/compatibility/foreign';

/**
 * The pack against node-oidc-provider (npm oidc-provider 9), a real authorization server we did not
 * write, started in-process on 127.0.0.1 over HTTPS with dynamic registration and RFC 7592
 * management (rotateRegistrationAccessToken on). Every verdict must be true: the exact outcome of
 * every rfc7591 check is asserted, and every OBIE check is n/a (not run). docs/compatibility.md
 * ("node-oidc-provider") says what it does where the RFCs leave a choice.
 */
const IAT = 'iat-for-node-oidc-provider';

/** The outcome of every rfc7591 check against node-oidc-provider with a static initial access token. */
const EXPECTED: Record<string, 'pass' | 'skip'> = {
  'RFC7591-REGISTER-201': 'pass',
  'RFC7591-REGISTER-METADATA-RETURNED': 'pass',
  'RFC7591-SECRET-EXPIRES-AT': 'pass',
  'RFC7591-UNKNOWN-METADATA-IGNORED': 'pass',
  'RFC7591-REDIRECT-URIS-ABSENT': 'pass',
  'RFC7591-REDIRECT-FRAGMENT': 'pass',
  'RFC7591-JWKS-AND-JWKS-URI': 'pass',
  'RFC7591-GRANT-RESPONSE-INCONSISTENT': 'pass',
  'RFC7591-IAT-ABSENT': 'pass',
  'RFC7591-IAT-WRONG': 'pass',
  'RFC7592-RAT-ISSUED': 'pass',
  'RFC7592-READ-200': 'pass',
  'RFC7592-UPDATE-200': 'pass',
  'RFC7592-UPDATE-READBACK': 'pass',
  'RFC7592-UPDATE-OMITTED-REMOVED': 'pass',
  'RFC7592-PUT-PROBES-READBACK': 'pass',
  'RFC7592-DELETE-204': 'pass',
  'RFC7592-DELETED-RAT-REFUSED': 'pass',
  'RFC7592-RAT-WRONG': 'pass',
  'RFC7592-RAT-TRUNCATED': 'pass',
  'RFC7592-RAT-ABSENT': 'pass',
  'RFC7592-RAT-OTHER-CLIENT': 'pass',
  'RFC7592-PUT-CLIENT-ID-OTHER': 'pass',
  'RFC7592-PUT-CLIENT-SECRET-CHOSEN': 'pass',
  'RFC7592-PUT-REGISTRATION-ACCESS-TOKEN': 'pass',
  'RFC7592-PUT-REGISTRATION-CLIENT-URI': 'pass',
  'RFC7592-PUT-CLIENT-ID-ISSUED-AT': 'pass',
  'RFC7592-PUT-CLIENT-SECRET-EXPIRES-AT': 'pass',
};

const providers: RunningProvider[] = [];
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
});

async function run(iat?: string): Promise<PackRun> {
  const op = await startOidcProvider(iat ? { initialAccessToken: iat } : {});
  providers.push(op);
  const target: Target = { ...resolveTarget({ dialect: 'rfc7591', discoveryUrl: op.discoveryUrl, ...(iat ? { initialAccessToken: iat } : {}) }), ca: op.ca };
  return runPack(target);
}

const outcomes = (r: PackRun, keep: (id: string) => boolean) => Object.fromEntries(r.results.filter((x) => keep(x.id)).map((x) => [x.id, x.outcome]));
const rfc7591 = new Set(checks.filter((c) => dialectsOf(c).includes('rfc7591')).map((c) => c.id));

test('the table covers every rfc7591 check; docs/compatibility.md names its departures (a fail or warn each) and its choices (checks that pass)', () => {
  expect(Object.keys(EXPECTED).sort()).toEqual([...rfc7591].sort());
  const doc = FOREIGN.find((f) => f.test === 'test/conformance/oidc-provider.test.ts')!;
  expect(doc.departures.flatMap((d) => d.checks).filter((id) => EXPECTED[id] === 'pass')).toEqual([]);
  expect(doc.choices.flatMap((d) => d.checks).filter((id) => EXPECTED[id] !== 'pass')).toEqual([]);
});

test('with an initial access token: the exact outcome of every rfc7591 check; every OBIE check n/a', async () => {
  const r = await run(IAT);
  expect(r.aborted).toBeUndefined();
  expect(outcomes(r, (id) => rfc7591.has(id))).toEqual(EXPECTED);
  expect(Object.values(outcomes(r, (id) => !rfc7591.has(id))).every((o) => o === 'n/a')).toBe(true);
  expect(r.results).toHaveLength(checks.length);
  expect(r.rootCauses).toEqual([]);
}, 60_000);

test('open registration (no initial access token): the same, the initial access token rows declared skips', async () => {
  const r = await run();
  expect(outcomes(r, (id) => rfc7591.has(id))).toEqual({ ...EXPECTED, 'RFC7591-IAT-ABSENT': 'skip', 'RFC7591-IAT-WRONG': 'skip' });
  expect(Object.values(outcomes(r, (id) => !rfc7591.has(id))).every((o) => o === 'n/a')).toBe(true);
}, 60_000);
