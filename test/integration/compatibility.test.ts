import { profiles } from '../../mock-server/profiles';
import { runProfile, outcomes, profileNames } from '../../integration/compatibility/run';
import { diffOutcomes, readExpected, readReasons, unexplained } from '../../integration/compatibility/matrix';
import { profileCapabilities } from '../../integration/profile-targets';
import { checks } from '../../conformance/rules';
import { dialectsOf } from '../../conformance/dialects';
import { startMockBank } from '../../mock-server/runtime';
import { profileTarget } from '../../integration/profile-targets';
import { START_OPTIONS } from '../../integration/compatibility/run';

const expected = readExpected();
const reasons = readReasons();

test('the table covers every profile and, for each, every check of the catalogue', () => {
  expect(Object.keys(expected).sort()).toEqual([...profileNames].sort());
  for (const p of profileNames) expect(Object.keys(expected[p]!).sort()).toEqual(checks.map((c) => c.id).sort());
});

test('every check a profile does not pass has a reason, and no reason names a passing check', () => {
  expect(profileNames.flatMap((p) => unexplained(p, expected[p]!, reasons[p] ?? []))).toEqual([]);
});

test('capabilities are read from the profile data: revolut documents only POST, tls_client_auth and application/jwt', () => {
  expect(profileCapabilities(profiles.revolut!)).toEqual({ management: false, operations: [], authMethods: ['tls_client_auth'], contentType: 'application/jwt', scopeFormat: 'string' });
  expect(profileCapabilities(profiles.obie!)).toMatchObject({ management: true, operations: ['GET', 'PUT', 'DELETE'], contentType: 'application/jose' });
  expect(profileCapabilities(profiles.wso2!).authMethods[0]).toBe('private_key_jwt');
});

test('every profile is in the matrix, of any dialect: a check is n/a exactly where its dialects leave out the profile\'s (rfc7591, cdr and obf judge their own checks, OBIE ones are n/a there)', () => {
  expect(profileNames.sort()).toEqual(Object.keys(profiles).sort());
  for (const p of profileNames) {
    const dialect = profiles[p]!.registration.dialect ?? 'obie';
    for (const c of checks) {
      if (dialectsOf(c).includes(dialect)) expect([p, c.id, expected[p]![c.id]]).not.toEqual([p, c.id, 'n/a']);
      else expect([p, c.id, expected[p]![c.id]]).toEqual([p, c.id, 'n/a']);
    }
  }
  for (const p of ['cdr', 'obf']) expect([p, Object.values(expected[p]!).filter((o) => o !== 'n/a').every((o) => o === 'pass')]).toEqual([p, true]);
});

test('the cdr target: its dialect, SSAs from the mock CDR Register at the bank\'s origin with the Register key, private_key_jwt and application/jwt', async () => {
  const bank = await startMockBank({ profile: 'cdr', logLevel: 'silent' });
  try {
    const t = profileTarget(bank);
    expect(t).toMatchObject({ dialect: 'cdr', directory: { mode: 'mock-endpoint', url: `${bank.url}/cdr-register/v1` }, capabilities: { contentType: 'application/jwt', authMethods: ['private_key_jwt'] } });
    expect(t.transport).toBeDefined();
  } finally {
    await bank.close();
  }
});

test('the rfc7591 target: its dialect, no SSA or client certificate, the RFC 8414 discovery path and the initial access token the mock was started with', async () => {
  const bank = await startMockBank({ profile: 'rfc7591', logLevel: 'silent', ...START_OPTIONS.rfc7591 });
  try {
    const t = profileTarget(bank);
    expect(t).toMatchObject({ dialect: 'rfc7591', directory: { mode: 'none' }, initialAccessToken: START_OPTIONS.rfc7591!.initialAccessToken, capabilities: { contentType: 'application/json', authMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth'], responseTypes: ['code'] } });
    expect(t.discoveryUrl).toBe(`${bank.url}/.well-known/oauth-authorization-server`);
    expect(t.transport).toBeUndefined();
  } finally {
    await bank.close();
  }
});

describe.each(profileNames)('the pack against the %s mock', (profile) => {
  test('gives the reviewed outcome for every check (integration/compatibility/expected.json)', async () => {
    const results = await runProfile(profile);
    const diff = diffOutcomes(profile, expected[profile] ?? {}, outcomes(results));
    // On a mismatch, show why the check came out as it did.
    const why = diff.map((line) => `${line} — ${results.find((r) => line.startsWith(`${profile} ${r.id}:`))?.message ?? ''}`);
    expect(why).toEqual([]);
  }, 90_000);
});
