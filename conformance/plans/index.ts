import type { Plan } from './plan';
import { discoveryPlan } from './discovery.plan';
import { registrationPlan } from './registration.plan';
import { ssaPlan } from './ssa.plan';
import { managementPlan } from './management.plan';
import { tokenPlan } from './token.plan';

export const plans: readonly Plan[] = [discoveryPlan, registrationPlan, ssaPlan, managementPlan, tokenPlan];

export function planOf(checkId: string): Plan | undefined {
  return plans.find((p) => p.checks.some((c) => c.id === checkId));
}
