import { randomUUID } from 'node:crypto';
import { signingKey } from '../../fixtures/keys';
import { hmacJws, unsignedJws } from '../../fixtures/registration';
import { createCa, issueTransportCert } from '../../mock-server/tls/certs';
import { definePlan, type ExchangeStep } from './plan';
import type { Session } from '../session';
import type { AuthMethod } from '../target';
import { registrationChecks } from '../rules/registration';
import { requestRefusalChecks, redirectRefusalChecks, transportRefusalChecks } from '../rules/request-refusals';

const now = () => Math.floor(Date.now() / 1000);

const supports = (m: AuthMethod) => (s: Session) =>
  s.target.capabilities.authMethods.includes(m) ? undefined : `the target does not declare ${m} in authMethods`;

/** A POST of the valid claims with overrides (undefined deletes a claim), signed by the software key. */
function claimStep(name: string, overrides: (s: Session) => Record<string, unknown>, opts: { method?: AuthMethod; skipIf?: ExchangeStep['skipIf'] } = {}): ExchangeStep {
  return {
    name,
    ...(opts.skipIf ? { skipIf: opts.skipIf } : {}),
    run: async (s) => {
      const claims = s.claims(overrides(s), opts.method ? { method: opts.method } : {});
      return s.post(name, await s.sign(claims), { sent: { claims } });
    },
  };
}

const steps: ExchangeStep[] = [
  {
    name: 'register-valid',
    run: async (s) => {
      const claims = s.claims();
      return s.post('register-valid', await s.sign(claims), { sent: { claims } });
    },
  },
  {
    name: 'register-content-type-jwt',
    run: async (s) => s.post('register-content-type-jwt', await s.sign(s.claims()), { contentType: 'application/jwt' }),
  },
  claimStep('register-client-secret-basic', () => ({}), { method: 'client_secret_basic', skipIf: supports('client_secret_basic') }),
  claimStep('register-private-key-jwt', () => ({}), { method: 'private_key_jwt', skipIf: supports('private_key_jwt') }),
  {
    name: 'register-replay-first',
    run: async (s) => {
      const jwt = await s.sign(s.claims());
      return s.post('register-replay-first', jwt, { sent: { jwt } });
    },
  },
  {
    name: 'register-replay-second',
    needs: ['register-replay-first'],
    run: async (s, prior) => s.post('register-replay-second', prior.get('register-replay-first')!.sent.jwt as string),
  },
  // Transport
  {
    name: 'register-no-cert',
    run: async (s) => s.post('register-no-cert', await s.sign(s.claims()), { client: null }),
  },
  {
    name: 'register-untrusted-cert',
    run: async (s) => {
      const rogueCa = await createCa('Untrusted Test CA');
      const rogue = await issueTransportCert(rogueCa, { software_id: s.target.softwareId, org_id: s.target.orgId || 'org', org_name: 'Conformance TPP', software_client_name: 'conformance' });
      const claims = s.claims({ tls_client_auth_subject_dn: rogue.dn, tls_client_auth_dn: undefined }, { method: 'tls_client_auth' });
      return s.post('register-untrusted-cert', await s.sign(claims), { client: { cert: rogue.cert, key: rogue.key } });
    },
  },
  // The request JWS
  { name: 'register-rs256', run: async (s) => s.post('register-rs256', await s.sign(s.claims(), { key: s.rsKey })) },
  { name: 'register-alg-none', run: async (s) => s.post('register-alg-none', unsignedJws(s.claims())) },
  { name: 'register-hs256', run: async (s) => s.post('register-hs256', await hmacJws(s.claims(), new TextEncoder().encode(randomUUID()))) },
  { name: 'register-x5c', run: async (s) => s.post('register-x5c', await s.sign(s.claims(), { header: { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] } })) },
  {
    name: 'register-foreign-key',
    run: async (s) => s.post('register-foreign-key', await s.sign(s.claims(), { key: { ...(await signingKey('PS256')), kid: s.key.kid } })),
  },
  { name: 'register-unknown-kid', run: async (s) => s.post('register-unknown-kid', await s.sign(s.claims(), { key: await signingKey('PS256') })) },
  // Claims
  claimStep('register-expired', () => ({ iat: now() - 900, exp: now() - 600 })),
  claimStep('register-no-exp', () => ({ exp: undefined })),
  claimStep('register-iss-invalid', () => ({ iss: 'notTheSoftwareId' })),
  claimStep('register-iss-empty', () => ({ iss: '' })),
  claimStep('register-iss-long', () => ({ iss: 'a'.repeat(30) })),
  claimStep('register-iat-future', () => ({ iat: now() + 3600 })),
  claimStep('register-no-jti', () => ({ jti: undefined })),
  claimStep('register-aud-other', () => ({ aud: 'https://another-bank.example.com' })),
  claimStep('register-software-id-other', () => ({ software_id: 'someOtherSoftware1' })),
  claimStep('register-response-types', () => ({ response_types: ['id_token', 'token'] })),
  claimStep('register-auth-method-none', () => ({ token_endpoint_auth_method: 'none', tls_client_auth_subject_dn: undefined, tls_client_auth_dn: undefined })),
  claimStep('register-pkjwt-no-alg', () => ({ token_endpoint_auth_signing_alg: undefined }), { method: 'private_key_jwt', skipIf: supports('private_key_jwt') }),
  claimStep('register-tls-no-dn', () => ({ tls_client_auth_subject_dn: undefined, tls_client_auth_dn: undefined }), { method: 'tls_client_auth', skipIf: supports('tls_client_auth') }),
  claimStep('register-dn-mismatch', () => ({ tls_client_auth_subject_dn: 'CN=someone else,OU=0015800001041RHAAY,O=Other Ltd,C=GB', tls_client_auth_dn: undefined }), { method: 'tls_client_auth', skipIf: supports('tls_client_auth') }),
  claimStep('register-grant-password', () => ({ grant_types: ['password'] })),
  claimStep('register-scope-unsupported', () => ({ scope: 'openid makepayment' })),
  claimStep('register-scope-number', () => ({ scope: 42 })),
  claimStep('register-application-type', () => ({ application_type: 'native' })),
  claimStep('register-id-token-rs256', () => ({ id_token_signed_response_alg: 'RS256' })),
  claimStep('register-request-object-none', () => ({ request_object_signing_alg: 'none' })),
  claimStep('register-jwks-both', () => ({ jwks: { keys: [] }, jwks_uri: 'https://tpp.example.com/jwks' })),
  claimStep('register-no-ssa', () => ({ software_statement: undefined })),
  // Redirect URIs
  claimStep('register-redirect-foreign', () => ({ redirect_uris: ['https://evil.example.com/cb'] })),
  claimStep('register-redirect-http', (s) => ({ redirect_uris: [s.target.redirectUris[0]!.replace(/^https:/, 'http:')] })),
  claimStep('register-redirect-localhost', () => ({ redirect_uris: ['https://localhost/callback'] })),
  claimStep('register-redirect-fragment', (s) => ({ redirect_uris: [`${s.target.redirectUris[0]}#frag`] })),
  claimStep('register-redirect-long', () => ({ redirect_uris: [`https://tpp.example.com/${'a'.repeat(260)}`] })),
  claimStep('register-redirect-missing', () => ({ redirect_uris: undefined })),
];

/** POST /register: the valid request, the OBIE tool's refusals, and the gaps. */
export const registrationPlan = definePlan({
  id: 'registration',
  title: 'Registration (POST /register)',
  steps,
  checks: [...registrationChecks, ...transportRefusalChecks, ...requestRefusalChecks, ...redirectRefusalChecks],
});
