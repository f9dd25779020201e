import type { Plan } from './plan';
import { discoveryPlan } from './discovery.plan';
import { registrationPlan } from './registration.plan';
import { ssaPlan } from './ssa.plan';
import { managementPlan } from './management.plan';
import { tokenPlan } from './token.plan';
import { rfc7591RegistrationPlan } from './rfc7591-registration.plan';
import { rfc7591ManagementPlan } from './rfc7591-management.plan';
import { cdrPlan } from './cdr.plan';
import { obfRegistrationPlan } from './obf-registration.plan';
import { obfManagementPlan } from './obf-management.plan';

export const plans: readonly Plan[] = [discoveryPlan, registrationPlan, ssaPlan, managementPlan, tokenPlan, rfc7591RegistrationPlan, rfc7591ManagementPlan, cdrPlan, obfRegistrationPlan, obfManagementPlan];

export function planOf(checkId: string): Plan | undefined {
  return plans.find((p) => p.checks.some((c) => c.id === checkId));
}
