import { profiles } from '../../mock-server/profiles';
import { runProfile, outcomes, profileNames } from '../../integration/compatibility/run';
import { diffOutcomes, readExpected, readReasons, unexplained } from '../../integration/compatibility/matrix';
import { profileCapabilities } from '../../integration/profile-targets';
import { checks } from '../../conformance/rules';

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

describe.each(profileNames)('the pack against the %s mock', (profile) => {
  test('gives the reviewed outcome for every check (integration/compatibility/expected.json)', async () => {
    const results = await runProfile(profile);
    const diff = diffOutcomes(profile, expected[profile] ?? {}, outcomes(results));
    // On a mismatch, show why the check came out as it did.
    const why = diff.map((line) => `${line} — ${results.find((r) => line.startsWith(`${profile} ${r.id}:`))?.message ?? ''}`);
    expect(why).toEqual([]);
  }, 90_000);
});
