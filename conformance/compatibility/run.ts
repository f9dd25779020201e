import { startMockBank } from '../../mock-server/runtime';
import { profiles } from '../../mock-server/profiles';
import { plans } from '../plans';
import { executePlan } from '../plans/plan';
import { openSession } from '../session';
import { evaluate, type CheckResult, type Outcome } from '../rules/define';
import { profileTarget } from '../profile-targets';

export const profileNames = Object.keys(profiles);

/** Runs every plan once against a mock started with the profile (one mock, its own target). */
export async function runProfile(profile: string): Promise<CheckResult[]> {
  const bank = await startMockBank({ profile });
  try {
    const target = profileTarget(bank);
    const results: CheckResult[] = [];
    for (const plan of plans) {
      const slots = await executePlan(plan, await openSession(target));
      for (const check of plan.checks) results.push(evaluate(check, slots));
    }
    return results;
  } finally {
    await bank.close();
  }
}

export const outcomes = (results: readonly CheckResult[]): Record<string, Outcome> => Object.fromEntries(results.map((r) => [r.id, r.outcome]));
