import { startMockBank } from '../../mock-server/runtime';
import { profiles } from '../../mock-server/profiles';
import { runPack } from '../../conformance/runner';
import type { CheckResult, Outcome } from '../../conformance/rules/define';
import { profileTarget } from '../profile-targets';

/**
 * The profiles the matrix covers: every one the pack can speak to. The pack speaks only the OBIE
 * dialect (signed registration JWTs); rfc7591 waits for the pack's rfc7591 dialect.
 */
export const profileNames = Object.keys(profiles).filter((name) => (profiles[name]!.registration.dialect ?? 'obie') === 'obie');

/** Runs the pack (pre-flight, every plan) once against a mock started with the profile (one mock, its own target). */
export async function runProfile(profile: string): Promise<CheckResult[]> {
  const bank = await startMockBank({ profile });
  try {
    return (await runPack(profileTarget(bank))).results;
  } finally {
    await bank.close();
  }
}

export const outcomes = (results: readonly CheckResult[]): Record<string, Outcome> => Object.fromEntries(results.map((r) => [r.id, r.outcome]));
