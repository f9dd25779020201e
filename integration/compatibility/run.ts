import { startMockBank, type StartOptions } from '../../mock-server/runtime';
import { profiles } from '../../mock-server/profiles';
import { runPack } from '../../conformance/runner';
import type { CheckResult, Outcome } from '../../conformance/rules/define';
import { profileTarget } from '../profile-targets';

/** The profiles the matrix covers: every one, of either dialect (a check of another dialect is n/a). */
export const profileNames = Object.keys(profiles);

/**
 * How the matrix starts a profile's mock, beyond the profile itself. rfc7591 runs with an initial
 * access token (RFC 7591 3: the endpoint "MAY" require one), given to the pack as well, so that
 * RFC7591-IAT-ABSENT and RFC7591-IAT-WRONG are judged rather than declared skips; open
 * registration is the default of that profile and is covered by test/mock-server/profiles.
 */
export const START_OPTIONS: Readonly<Record<string, Partial<StartOptions>>> = {
  rfc7591: { initialAccessToken: 'iat-for-the-compatibility-matrix' },
};

/** Runs the pack (pre-flight, every plan) once against a mock started with the profile (one mock, its own target). */
export async function runProfile(profile: string): Promise<CheckResult[]> {
  const bank = await startMockBank({ profile, ...START_OPTIONS[profile] });
  try {
    return (await runPack(profileTarget(bank))).results;
  } finally {
    await bank.close();
  }
}

export const outcomes = (results: readonly CheckResult[]): Record<string, Outcome> => Object.fromEntries(results.map((r) => [r.id, r.outcome]));
