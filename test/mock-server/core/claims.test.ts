import { claimRules, validateClaims, type ClaimsContext } from '../../../mock-server/core/claims';
import { obie } from '../../../mock-server/profiles/obie';
import { revolut } from '../../../mock-server/profiles/revolut';
import type { VerifiedSsa } from '../../../mock-server/core/verify-ssa';
import { RuleViolation } from '../../../mock-server/errors';
import type { RuleId } from '../../../catalogue/rules';

const NOW = 1_800_000_000;
const DN = 'CN=sw1,OU=org1,O=Org Ltd,C=GB';
const ssa: VerifiedSsa = {
  header: { alg: 'PS256' },
  payload: {},
  compact: 'ssa.jwt.here',
  softwareId: 'abcDEF123',
  jwksEndpoint: 'https://dir/jwks',
  redirectUris: ['https://tpp.example.com/cb', 'https://tpp.example.com/cb2'],
  roles: ['AISP', 'PISP'],
};
const ctx: ClaimsContext = { profile: obie, ssa, now: NOW, clockSkewSeconds: 60, audiences: ['https://bank', 'bankorg'], certificateDn: DN };

function valid(): Record<string, unknown> {
  return {
    iss: 'abcDEF123', iat: NOW, exp: NOW + 300, aud: 'https://bank', jti: 'j1',
    redirect_uris: ['https://tpp.example.com/cb'],
    token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: DN,
    grant_types: ['client_credentials'], response_types: ['code id_token'],
    scope: 'openid accounts', application_type: 'web',
    id_token_signed_response_alg: 'PS256', request_object_signing_alg: 'PS256',
    software_id: 'abcDEF123', software_statement: 'ssa.jwt.here',
  };
}

function firing(claims: Record<string, unknown>, c: ClaimsContext = ctx): RuleId[] {
  return claimRules.filter(([, check]) => check(claims, c) !== undefined).map(([id]) => id);
}

/** For every claim rule: an input where only it fires, and (implicitly, by valid()) one where it does not. */
const fires: Record<string, [Record<string, unknown>, Partial<ClaimsContext>?]> = {
  'REQ-ISS': [{ iss: 'someoneElse' }],
  'REQ-ISS-FORMAT': [{ iss: 'abc-DEF', software_id: undefined }, { ssa: { ...ssa, softwareId: 'abc-DEF' } }],
  'REQ-AUD': [{ aud: 'https://other' }],
  'REQ-EXP': [{ exp: NOW - 120 }],
  'REQ-EXP-RANGE': [{ exp: NOW + 2 * 86_400 }],
  'REQ-IAT': [{ iat: NOW + 600 }],
  'REQ-JTI': [{ jti: '' }],
  'REQ-SOFTWARE-ID': [{ software_id: 'other' }],
  'REQ-CLIENT-ID-PATH': [{ client_id: 'a' }, { clientIdInPath: 'b' }],
  'REQ-REDIRECT-PRESENT': [{ redirect_uris: [] }],
  'REQ-REDIRECT-HTTPS': [{ redirect_uris: ['http://tpp.example.com/cb'] }, { ssa: { ...ssa, redirectUris: ['http://tpp.example.com/cb'] } }],
  'REQ-REDIRECT-LOCALHOST': [{ redirect_uris: ['https://127.0.0.1/cb'] }, { ssa: { ...ssa, redirectUris: ['https://127.0.0.1/cb'] } }],
  'REQ-REDIRECT-FRAGMENT': [{ redirect_uris: ['https://tpp.example.com/cb#f'] }, { ssa: { ...ssa, redirectUris: ['https://tpp.example.com/cb#f'] } }],
  'REQ-REDIRECT-LENGTH': [{ redirect_uris: [`https://tpp.example.com/${'x'.repeat(250)}`] }, { ssa: { ...ssa, redirectUris: [`https://tpp.example.com/${'x'.repeat(250)}`] } }],
  'REQ-REDIRECT-SUBSET': [{ redirect_uris: ['https://tpp.example.com/other'] }],
  'REQ-AUTH-METHOD': [{ token_endpoint_auth_method: 'client_secret_jwt', tls_client_auth_subject_dn: undefined, token_endpoint_auth_signing_alg: 'PS256' }],
  'REQ-AUTH-SIGNING-ALG': [{ token_endpoint_auth_signing_alg: 'HS256' }],
  'REQ-TLS-DN-PRESENCE': [{ tls_client_auth_subject_dn: undefined }],
  'REQ-TLS-DN-MATCH': [{ tls_client_auth_subject_dn: 'CN=x,C=GB' }],
  'REQ-GRANT-TYPES': [{ grant_types: ['implicit'] }],
  'REQ-RESPONSE-TYPES': [{ response_types: ['token'] }],
  'REQ-SCOPE-FORMAT': [{ scope: { a: 1 } }],
  'REQ-SCOPE-REQUIRED': [{ scope: 'accounts', tls_client_auth_dn: DN, tls_client_auth_subject_dn: undefined }, { profile: revolut }],
  'REQ-SCOPE-ROLES': [{ scope: 'openid fundsconfirmations' }],
  'REQ-APPLICATION-TYPE': [{ application_type: 'native' }],
  'REQ-ID-TOKEN-ALG': [{ id_token_signed_response_alg: 'none' }],
  'REQ-REQUEST-OBJECT-ALG': [{ request_object_signing_alg: 'RS256' }],
  'REQ-JWKS-EXCLUSIVE': [{ jwks: { keys: [] }, jwks_uri: 'https://x/jwks' }],
};

describe('claim rules', () => {
  test('a valid request fires no rule', () => {
    expect(firing(valid())).toEqual([]);
  });

  test('every claim rule has a firing case below', () => {
    expect(Object.keys(fires).sort()).toEqual(claimRules.map(([id]) => id).sort());
  });

  test.each(Object.entries(fires))('%s fires alone on its case', (id, [overrides, ctxOverrides]) => {
    const claims = { ...valid(), ...overrides };
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete claims[k];
    expect(firing(claims, { ...ctx, ...ctxOverrides })).toEqual([id]);
  });

  test('v3.1 forms: tls_client_auth_dn and a scope array pass under obie', () => {
    const c: Record<string, unknown> = { ...valid(), tls_client_auth_dn: DN, scope: ['openid', 'accounts'] };
    delete c.tls_client_auth_subject_dn;
    expect(firing(c)).toEqual([]);
  });

  test('aud may be an array naming the bank, and the directory id counts', () => {
    expect(firing({ ...valid(), aud: ['x', 'bankorg'] })).toEqual([]);
  });

  test('the skew tolerates a slightly future iat, not more', () => {
    expect(firing({ ...valid(), iat: NOW + 59 })).toEqual([]);
    expect(firing({ ...valid(), iat: NOW + 61 })).toEqual(['REQ-IAT']);
  });

  test('a profile default auth method stands in for an absent token_endpoint_auth_method', () => {
    const profile = { ...obie, registration: { ...obie.registration, defaultAuthMethod: 'client_secret_basic' as const } };
    const c: Record<string, unknown> = { ...valid(), token_endpoint_auth_method: undefined, tls_client_auth_subject_dn: undefined };
    delete c.token_endpoint_auth_method;
    delete c.tls_client_auth_subject_dn;
    expect(firing(c, { ...ctx, profile })).toEqual([]);
    expect(validateClaims(c, { ...ctx, profile }, new Set()).token_endpoint_auth_method).toBe('client_secret_basic');
    expect(firing(c)).toEqual(['REQ-AUTH-METHOD']);
  });

  test('no certificate means the DN cannot match', () => {
    expect(firing(valid(), { ...ctx, certificateDn: undefined })).toEqual(['REQ-TLS-DN-MATCH']);
  });

  test('validateClaims throws the first violation as a RuleViolation with its code', () => {
    try {
      validateClaims({ ...valid(), redirect_uris: ['https://evil/cb'] }, ctx, new Set());
      throw new Error('expected a violation');
    } catch (e) {
      expect(e).toBeInstanceOf(RuleViolation);
      expect((e as RuleViolation).code).toBe('invalid_redirect_uri');
      expect((e as RuleViolation).rule).toBe('REQ-REDIRECT-SUBSET');
    }
  });

  test('skipped rules do not run (profile deferrals and test faults)', () => {
    const meta = validateClaims({ ...valid(), redirect_uris: ['https://evil/cb'] }, ctx, new Set(['REQ-REDIRECT-SUBSET'] as const));
    expect(meta.redirect_uris).toEqual(['https://evil/cb']);
  });

  test('metadata is normalised: scope string, defaults, DN under the v3.3 name', () => {
    const c: Record<string, unknown> = { ...valid(), tls_client_auth_dn: DN, scope: ['openid', 'accounts'] };
    delete c.tls_client_auth_subject_dn;
    delete c.response_types;
    delete c.application_type;
    const meta = validateClaims(c, ctx, new Set());
    expect(meta).toMatchObject({ scope: 'openid accounts', response_types: ['code id_token'], application_type: 'web', tls_client_auth_subject_dn: DN });
  });

  test('without scope the SSA roles decide the default', () => {
    const c = valid();
    delete c.scope;
    expect(validateClaims(c, ctx, new Set()).scope).toBe('openid accounts payments');
  });

  test('a redirect URI is judged the same however many others were judged before it (the parse is kept, bounded)', () => {
    const judged = (uri: string) => firing({ ...valid(), redirect_uris: [uri] }, { ...ctx, ssa: { ...ssa, redirectUris: [uri] } });
    const plain = 'http://tpp.example.com/cb';
    const loopback = 'https://localhost/cb';
    const long = `https://tpp.example.com/${'a'.repeat(300)}`;
    const before = [judged(plain), judged(loopback), judged('https://tpp.example.com/cb'), judged(long)];
    expect(before).toEqual([['REQ-REDIRECT-HTTPS'], ['REQ-REDIRECT-LOCALHOST'], [], ['REQ-REDIRECT-LENGTH']]);
    // More distinct URIs than are kept, some of them the same text with another verdict's neighbour.
    for (let i = 0; i < 3000; i++) judged(i % 2 ? `https://h${i}.example/cb` : `http://h${i}.example/cb`);
    expect([judged(plain), judged(loopback), judged('https://tpp.example.com/cb'), judged(long)]).toEqual(before);
    expect(judged('http://h2.example/cb')).toEqual(['REQ-REDIRECT-HTTPS']);
    expect(judged('https://h3.example/cb')).toEqual([]);
    expect(judged('not a uri')).toEqual(['REQ-REDIRECT-HTTPS']);
  });

  test('the scope is read afresh when the same claims object has another scope (string or array changed in place)', () => {
    const c = valid();
    expect(firing(c)).toEqual([]);
    c.scope = 'openid nonsense';
    expect(firing(c)).toEqual(['REQ-SCOPE-ROLES']);
    c.scope = 'openid fundsconfirmations';
    expect(firing(c)).toEqual(['REQ-SCOPE-ROLES']);
    c.scope = 'openid payments';
    expect(firing(c)).toEqual([]);
    const scopes = ['openid', 'accounts'];
    c.scope = scopes;
    expect(firing(c)).toEqual([]);
    scopes.push('nonsense');
    expect(firing(c)).toEqual(['REQ-SCOPE-ROLES']);
    expect(validateClaims({ ...valid(), scope: 'openid accounts' }, ctx, new Set()).scope).toBe('openid accounts');
  });
});
