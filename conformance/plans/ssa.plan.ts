import { randomUUID } from 'node:crypto';
import { foreignKey } from '../../fixtures/keys';
import { decodePayload, hmacJws, signJws, unsignedJws } from '../../fixtures/registration';
import { definePlan, type ExchangeStep } from './plan';
import type { Session } from '../session';
import { ssaRefusalChecks } from '../rules/request-refusals';
import { clientRegistered } from './controls';

const now = () => Math.floor(Date.now() / 1000);

function ssaHeader(ssa: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(ssa.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A registration carrying a forged or specially minted SSA; the request itself is valid. */
function ssaStep(name: string, make: (s: Session) => Promise<string>, needsMint = false, control = needsMint ? 'register-ssa-minted-control' : 'register-ssa-control'): ExchangeStep {
  return {
    name,
    needs: control ? [control] : [],
    kind: 'ssa',
    ...(needsMint
      ? { skipIf: (s: Session) => (s.directory.mint ? undefined : 'the target gives a fixed SSA: minting this one needs a directory signing key or the mock directory endpoint') }
      : {}),
    run: async (s) => {
      const ssa = await make(s);
      return s.post(name, await s.sign(s.claims({}, { ssa })));
    },
  };
}

const payload = (s: Session) => decodePayload(s.ssa);

/** A scope in the form the target wants: an array for v3.1 (or when declared), else a space-separated string. */
const scopeOf = (s: Session, scope: string): string | string[] =>
  (s.target.capabilities.scopeFormat ?? (s.target.specVersion === '3.1' ? 'array' : 'string')) === 'array' ? scope.split(' ') : scope;

/** An SSA probe that needs the directory's signing key; its control is the base SSA. */
function keyStep(name: string, make: (s: Session) => Promise<string>): ExchangeStep {
  return {
    ...ssaStep(name, make),
    skipIf: (s: Session) => (s.directory.withKey ? undefined : 'the pack does not hold the directory signing key (directory local-key, or directoryKey beside a mock directory endpoint)'),
  };
}

/** The software statement: forged ones (made from the base SSA, no directory key needed) and minted ones. */
export const ssaPlan = definePlan({
  id: 'ssa',
  title: 'Software statement',
  steps: [
    // Controls: the same registration with the base SSA, and with an SSA freshly minted without overrides.
    { ...ssaStep('register-ssa-control', async (s) => s.ssa, false, ''), accepted: clientRegistered },
    { ...ssaStep('register-ssa-minted-control', (s) => s.directory.mint!({}), true, ''), accepted: clientRegistered },
    ssaStep('register-ssa-foreign-key', async (s) => signJws(payload(s), await foreignKey('PS256'), { kid: ssaHeader(s.ssa).kid })),
    ssaStep('register-ssa-none', async (s) => unsignedJws(payload(s), { kid: ssaHeader(s.ssa).kid })),
    ssaStep('register-ssa-hs256', async (s) => hmacJws(payload(s), new TextEncoder().encode(randomUUID()), { kid: ssaHeader(s.ssa).kid })),
    ssaStep('register-ssa-unknown-kid', async (s) => signJws(payload(s), await foreignKey('PS256'))),
    ssaStep('register-ssa-untrusted-issuer', async (s) => signJws({ ...payload(s), iss: 'Untrusted Conformance Directory' }, await foreignKey('PS256'))),
    // Near miss: the directory's real key, another issuer name. A bank that verifies the signature but never compares iss accepts it.
    ssaStep('register-ssa-other-iss-real-key', (s) => s.directory.mint!({ iss: 'Untrusted Conformance Directory' }), true),
    // Near misses with the directory's real key: under a kid its JWKS does not hold, and HS256 keyed with its public key.
    keyStep('register-ssa-real-key-unknown-kid', async (s) => s.directory.withKey!.sign(payload(s), { kid: `${String(ssaHeader(s.ssa).kid ?? 'kid')}-unknown` })),
    keyStep('register-ssa-hs256-public-key', async (s) => hmacJws(payload(s), new TextEncoder().encode(await s.directory.withKey!.publicPem()), { kid: ssaHeader(s.ssa).kid })),
    // Scope within the SSA's roles: an SSA for AISP only, asking for accounts (the control), then for payments too.
    {
      name: 'register-ssa-aisp-control',
      needs: ['register-ssa-minted-control'],
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
      kind: 'ssa',
      run: async (s, prior) => {
        const ssa = String(prior.get('register-ssa-aisp-control')!.sent.ssa);
        return s.post('register-scope-beyond-roles', await s.sign(s.claims({ scope: scopeOf(s, 'openid accounts payments') }, { ssa })));
      },
    },
    ssaStep('register-ssa-expired', (s) => s.directory.mint!({ iat: now() - 7200, exp: now() - 3600 }), true),
    ssaStep('register-ssa-future', (s) => s.directory.mint!({ iat: now() + 3600, exp: now() + 7200 }), true),
    ssaStep('register-ssa-nbf', (s) => s.directory.mint!({ nbf: now() + 3600 }), true),
    ssaStep('register-ssa-no-jwks-endpoint', (s) => s.directory.mint!({ software_jwks_endpoint: null }), true),
    ssaStep('register-ssa-foreign-jwks', (s) => s.directory.mint!({ software_jwks_endpoint: 'https://attacker.example.com/jwks' }), true),
  ],
  checks: ssaRefusalChecks,
});
