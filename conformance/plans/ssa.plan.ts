import { definePlan, type ExchangeStep } from './plan';
import type { Session } from '../session';
import { ssaRefusalChecks } from '../rules/request-refusals';
import { clientRegistered } from './controls';
import { SSA_CONTROL, SSA_MINTED_CONTROL, ssaControls, ssaSweep } from '../sweep/ssa';
import { sweepChecks, sweepSteps } from '../sweep/table';

/** A scope in the form the target wants: an array for v3.1 (or when declared), else a space-separated string. */
const scopeOf = (s: Session, scope: string): string | string[] =>
  (s.target.capabilities.scopeFormat ?? (s.target.specVersion === '3.1' ? 'array' : 'string')) === 'array' ? scope.split(' ') : scope;

const steps: ExchangeStep[] = [
  // Controls: the same registration with the base SSA, and with a fresh SSA of the pack's own (no change).
  { name: SSA_CONTROL, kind: 'ssa', accepted: clientRegistered, run: ssaControls.base },
  { name: SSA_MINTED_CONTROL, kind: 'ssa', concurrent: true, accepted: clientRegistered, skipIf: ssaControls.mintSkip, run: ssaControls.minted },
  // Scope within the SSA's roles: an SSA for AISP only, asking for accounts (the control), then for payments too.
  {
    name: 'register-ssa-aisp-control',
    needs: [SSA_MINTED_CONTROL],
    concurrent: true,
    kind: 'ssa',
    skipIf: (s: Session) => (s.directory.mint ? undefined : 'the target gives a fixed SSA: an SSA for AISP alone needs a directory signing key or the mock directory endpoint'),
    accepted: clientRegistered,
    run: async (s) => {
      const ssa = await s.directory.mint!({ software_roles: ['AISP'] });
      return s.post('register-ssa-aisp-control', await s.sign(s.claims({ scope: scopeOf(s, 'openid accounts') }, { ssa })), { sent: { ssa } });
    },
  },
  {
    name: 'register-scope-beyond-roles',
    needs: ['register-ssa-aisp-control'],
    concurrent: true,
    kind: 'ssa',
    run: async (s, prior) => {
      const ssa = String(prior.get('register-ssa-aisp-control')!.sent.ssa);
      return s.post('register-scope-beyond-roles', await s.sign(s.claims({ scope: scopeOf(s, 'openid accounts payments') }, { ssa })));
    },
  },
  // The one-change sweep of the software statement: conformance/sweep/ssa.ts.
  ...sweepSteps(ssaSweep),
];

/** The software statement: the one-change sweep of an accepted SSA, and the scope its roles allow. */
export const ssaPlan = definePlan({
  id: 'ssa',
  title: 'Software statement',
  steps,
  checks: [...sweepChecks(ssaSweep), ...ssaRefusalChecks],
});
