import { createPrivateKey, createPublicKey, randomUUID, X509Certificate, type JsonWebKey } from 'node:crypto';
import { CompactSign, type JWK } from 'jose';
import { nearMiss } from '../near-miss';
import { foreignKey, sharedKey, signingKeyFromJwk, OWN_KEY_ROLES, type SigningKey } from '../../fixtures/keys';
import { hmacJws, unsignedJws } from '../../fixtures/registration';
import { selfSignedCert, untrustedTransportCert } from '../../fixtures/untrusted';
import { definePlan, type ExchangeStep } from './plan';
import type { Session } from '../session';
import type { Recorded } from '../exchange';
import { clientRegistered } from './controls';
import type { AuthMethod } from '../target';
import { registrationChecks } from '../rules/registration';
import { requestRefusalChecks, redirectRefusalChecks, transportRefusalChecks } from '../rules/request-refusals';

const now = () => Math.floor(Date.now() / 1000);

/** The software public key as SPKI PEM: the HMAC secret of the classic algorithm-confusion attack. */
function publicPem(s: Session): string {
  return createPublicKey({ key: s.key.publicJwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

/** The public half of a key, with its kid: what a JWS would carry to name its own key. */
const publicJwk = (k: SigningKey): JWK => ({ ...k.publicJwk, kid: k.kid, alg: k.alg });

const CRIT = 'urn:dcr-conformance:unknown-extension';

/** A JWS whose protected header marks an extension no bank knows as critical. */
function critJws(claims: Record<string, unknown>, key: SigningKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', crit: [CRIT], [CRIT]: true })
    .sign(key.privateKey, { crit: { [CRIT]: true } });
}

const supports = (m: AuthMethod) => (s: Session) =>
  s.target.capabilities.authMethods.includes(m) ? undefined : `the target does not declare ${m} in authMethods`;

/** The registration with each auth method: the positive control of every probe that registers with that method. */
export const METHOD_CONTROL: Readonly<Record<AuthMethod, string>> = {
  tls_client_auth: 'register-tls-client-auth',
  private_key_jwt: 'register-private-key-jwt',
  client_secret_basic: 'register-client-secret-basic',
  client_secret_post: 'register-client-secret-post',
};

interface ProbeOptions {
  method?: AuthMethod;
  skipIf?: ExchangeStep['skipIf'];
  /** The positive control: by default the valid registration with the same method (register-valid without one). */
  needs?: string[];
}

/**
 * A POST of the valid claims with overrides (undefined deletes a claim), signed by the software
 * key: one change to the request its control registered.
 */
function claimStep(name: string, overrides: (s: Session) => Record<string, unknown>, opts: ProbeOptions = {}): ExchangeStep {
  return {
    name,
    needs: opts.needs ?? [opts.method ? METHOD_CONTROL[opts.method] : 'register-valid'],
    ...(opts.skipIf ? { skipIf: opts.skipIf } : {}),
    run: async (s) => {
      const claims = s.claims(overrides(s), opts.method ? { method: opts.method } : {});
      return s.post(name, await s.sign(claims), { sent: { claims } });
    },
  };
}

/** A valid registration with one auth method: accepted, it is the control of that method's probes. */
function methodControl(method: AuthMethod): ExchangeStep {
  return { ...claimStep(METHOD_CONTROL[method], () => ({}), { method, skipIf: supports(method), needs: [] }), accepted: clientRegistered };
}

/** The auth method of the no-certificate probe: one that needs no certificate, when the target declares one. */
function noCertMethod(s: Session): AuthMethod | undefined {
  return (['private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const).find((m) => s.target.capabilities.authMethods.includes(m));
}

/** A probe whose control is register-valid, built from the session (keys, headers). */
function probe(name: string, run: (s: Session) => Promise<Recorded>, needs = ['register-valid']): ExchangeStep {
  return { name, needs, run };
}

const steps: ExchangeStep[] = [
  {
    name: 'register-valid',
    accepted: clientRegistered,
    run: async (s) => {
      const claims = s.claims();
      return s.post('register-valid', await s.sign(claims), { sent: { claims } });
    },
  },
  probe('register-content-type-jwt', async (s) => s.post('register-content-type-jwt', await s.sign(s.claims()), { contentType: 'application/jwt' })),
  methodControl('tls_client_auth'),
  methodControl('private_key_jwt'),
  methodControl('client_secret_basic'),
  methodControl('client_secret_post'),
  {
    name: 'register-replay-first',
    accepted: clientRegistered,
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
  // Without a client certificate, registered with a method that needs none (private_key_jwt, else a secret method), so that
  // only the transport rule can refuse it: a tls_client_auth request would also be refused for its DN, which proves nothing.
  {
    name: 'register-no-cert',
    needs: ['register-valid', METHOD_CONTROL.private_key_jwt, METHOD_CONTROL.client_secret_basic, METHOD_CONTROL.client_secret_post],
    needsFor: (s) => {
      const method = noCertMethod(s);
      return [method ? METHOD_CONTROL[method] : 'register-valid'];
    },
    run: async (s) => {
      const method = noCertMethod(s);
      const claims = s.claims({}, method ? { method } : {});
      return s.post('register-no-cert', await s.sign(claims), { client: null, sent: { claims, method: method ?? s.target.capabilities.authMethods[0] } });
    },
  },
  {
    name: 'register-untrusted-cert',
    needs: [METHOD_CONTROL.tls_client_auth],
    skipIf: supports('tls_client_auth'),
    run: async (s) => {
      const rogue = await untrustedTransportCert({ software_id: s.target.softwareId, org_id: s.target.orgId || 'org', org_name: 'Conformance TPP' });
      const claims = s.claims({ tls_client_auth_subject_dn: rogue.dn, tls_client_auth_dn: undefined }, { method: 'tls_client_auth' });
      return s.post('register-untrusted-cert', await s.sign(claims), { client: { cert: rogue.cert, key: rogue.key } });
    },
  },
  // The request JWS
  probe('register-rs256', async (s) => s.post('register-rs256', await s.sign(s.claims(), { key: s.rsKey }))),
  probe('register-alg-none', async (s) => s.post('register-alg-none', unsignedJws(s.claims()))),
  probe('register-hs256', async (s) => s.post('register-hs256', await hmacJws(s.claims(), new TextEncoder().encode(randomUUID())))),
  probe('register-x5c', async (s) => s.post('register-x5c', await s.sign(s.claims(), { header: { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] } }))),
  probe('register-foreign-key', async (s) => s.post('register-foreign-key', await s.sign(s.claims(), { key: { ...(await foreignKey('PS256')), kid: s.key.kid } }))),
  probe('register-unknown-kid', async (s) => s.post('register-unknown-kid', await s.sign(s.claims(), { key: await foreignKey('PS256') }))),
  // Claims
  claimStep('register-expired', () => ({ iat: now() - 900, exp: now() - 600 })),
  claimStep('register-no-exp', () => ({ exp: undefined })),
  claimStep('register-iss-invalid', () => ({ iss: 'notTheSoftwareId' })),
  claimStep('register-iss-empty', () => ({ iss: '' })),
  claimStep('register-iss-long', () => ({ iss: 'a'.repeat(30) })),
  claimStep('register-iat-future', () => ({ iat: now() + 3600 })),
  claimStep('register-no-jti', () => ({ jti: undefined })),
  claimStep('register-no-iat', () => ({ iat: undefined })),
  claimStep('register-no-aud', () => ({ aud: undefined })),
  claimStep('register-no-iss', () => ({ iss: undefined })),
  // RFC 7515 4.1.11: a crit extension the bank cannot understand makes the JWS invalid; verifiers that ignore crit accept it.
  probe('register-crit-unknown', async (s) => s.post('register-crit-unknown', await critJws(s.claims(), s.key))),
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
  // Near misses: the ways real implementations get the rules wrong, one change from the control each.
  claimStep('register-redirect-extended', (s) => ({ redirect_uris: [nearMiss.extended(s.target.redirectUris[0]!)] })),
  claimStep('register-redirect-case', (s) => ({ redirect_uris: [nearMiss.recased(s.target.redirectUris[0]!)] })),
  claimStep('register-redirect-slash', (s) => ({ redirect_uris: [nearMiss.slash(s.target.redirectUris[0]!)] })),
  claimStep('register-redirect-query', (s) => ({ redirect_uris: [nearMiss.query(s.target.redirectUris[0]!)] })),
  claimStep('register-redirect-host-suffix', (s) => ({ redirect_uris: [nearMiss.hostSuffix(s.target.redirectUris[0]!)] })),
  claimStep('register-redirect-host-prefix', (s) => ({ redirect_uris: [nearMiss.hostPrefix(s.target.redirectUris[0]!)] })),
  claimStep('register-redirect-other-path', (s) => ({ redirect_uris: [nearMiss.otherPath(s.target.redirectUris[0]!)] })),
  claimStep('register-redirect-port', (s) => ({ redirect_uris: [nearMiss.port(s.target.redirectUris[0]!)] })),
  claimStep('register-redirect-userinfo', (s) => ({ redirect_uris: [nearMiss.userinfo(s.target.redirectUris[0]!)] })),
  claimStep('register-dn-subset', (s) => ({ tls_client_auth_subject_dn: nearMiss.dnSubset(s.target.subjectDn), tls_client_auth_dn: undefined }), { method: 'tls_client_auth', skipIf: supports('tls_client_auth') }),
  claimStep('register-dn-altered', (s) => ({ tls_client_auth_subject_dn: nearMiss.dnAltered(s.target.subjectDn), tls_client_auth_dn: undefined }), { method: 'tls_client_auth', skipIf: supports('tls_client_auth') }),
  probe('register-real-key-unknown-kid', async (s) => s.post('register-real-key-unknown-kid', await s.sign(s.claims(), { key: { ...s.key, kid: `${s.key.kid ?? 'key'}-unknown` } }))),
  probe('register-hs256-public-key', async (s) => s.post('register-hs256-public-key', await hmacJws(s.claims(), new TextEncoder().encode(publicPem(s))))),
  // Keys the request brings itself (jwk header, x5c certificate, jwks claim), under the software's kid: never trusted.
  probe('register-jwk-header', async (s) => {
    const own = { ...(await sharedKey(OWN_KEY_ROLES.jwkHeader)), kid: s.key.kid };
    return s.post('register-jwk-header', await s.sign(s.claims(), { key: own, header: { jwk: publicJwk(own) } }));
  }),
  probe('register-x5c-self-signed', async (s) => {
    const self = await selfSignedCert('Conformance Self-Signed Software', OWN_KEY_ROLES.x5c);
    const key = await signingKeyFromJwk({ ...(createPrivateKey(self.key).export({ format: 'jwk' }) as JWK), alg: 'PS256', kid: s.key.kid });
    return s.post('register-x5c-self-signed', await s.sign(s.claims(), { key, header: { x5c: [new X509Certificate(self.cert).raw.toString('base64')] } }));
  }),
  probe('register-self-jwks', async (s) => {
    const own = { ...(await sharedKey(OWN_KEY_ROLES.jwksClaim)), kid: s.key.kid };
    return s.post('register-self-jwks', await s.sign(s.claims({ jwks: { keys: [publicJwk(own)] } }), { key: own }));
  }),
  claimStep('register-aud-extended', (s) => ({ aud: `${s.aud}.evil.example` })),
  claimStep('register-aud-contains', (s) => ({ aud: `https://evil.example/?${s.aud}` })),
];

/** POST /register: the valid request, the OBIE tool's refusals, and the gaps. */
export const registrationPlan = definePlan({
  id: 'registration',
  title: 'Registration (POST /register)',
  steps,
  checks: [...registrationChecks, ...transportRefusalChecks, ...requestRefusalChecks, ...redirectRefusalChecks],
});
