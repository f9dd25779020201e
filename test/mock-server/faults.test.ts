import type { RuleId } from '../../catalogue/rules';
import { discoveryDocument, faultedProfile, registrationAnswer, tokenAnswer } from '../../mock-server/faults';
import { getProfile } from '../../mock-server/profiles';

const none = new Set<RuleId>();
const only = (...ids: RuleId[]) => new Set<RuleId>(ids);

describe('behaviour faults (test-only)', () => {
  const doc = { issuer: 'https://bank', registration_endpoint: 'https://bank/register', token_endpoint: 'https://bank/token', scopes_supported: ['openid'] };
  const client = { client_id: 'c1', client_id_issued_at: 1, redirect_uris: ['https://tpp/cb'], token_endpoint_auth_method: 'tls_client_auth', software_id: 's1' };

  test('without faults everything is unchanged', () => {
    const obie = getProfile('obie');
    expect(faultedProfile(obie, none)).toBe(obie);
    expect(discoveryDocument(doc, none)).toBe(doc);
    expect(registrationAnswer(201, client, none)).toEqual({ status: 201, body: client, json: true });
    const token = { access_token: 't', token_type: 'Bearer' as const, expires_in: 300, scope: 'openid' };
    expect(tokenAnswer(token, none)).toBe(token);
  });

  test.each([
    ['DISC-ISSUER', 'issuer'],
    ['DISC-REGISTRATION-ENDPOINT', 'registration_endpoint'],
    ['DISC-TOKEN-ENDPOINT', 'token_endpoint'],
    ['DISC-SCOPES', 'scopes_supported'],
  ] as const)('%s: discovery omits %s and nothing else', (id, field) => {
    const out = discoveryDocument(doc, only(id));
    expect(Object.keys(out).sort()).toEqual(Object.keys(doc).filter((k) => k !== field).sort());
  });

  test('HTTP-CONTENT-TYPE-JWT and REQ-PRIVATE-KEY-JWT take application/jwt and private_key_jwt out of the profile', () => {
    const p = faultedProfile(getProfile('obie'), only('HTTP-CONTENT-TYPE-JWT', 'REQ-PRIVATE-KEY-JWT'));
    expect(p.registration.contentTypes).toEqual(['application/jose']);
    expect(p.registration.authMethods).not.toContain('private_key_jwt');
    expect(p.registration.authMethods).toContain('tls_client_auth');
  });

  test('RES-CREATED-201 answers 200; RES-CLIENT-JSON not as JSON', () => {
    expect(registrationAnswer(201, client, only('RES-CREATED-201')).status).toBe(200);
    expect(registrationAnswer(201, client, only('RES-CLIENT-JSON')).json).toBe(false);
  });

  test('RES-METADATA keeps only the credentials; RES-SECRET gives every client a secret without client_secret_expires_at', () => {
    expect(Object.keys(registrationAnswer(201, client, only('RES-METADATA')).body).sort()).toEqual(['client_id', 'client_id_issued_at']);
    const secret = registrationAnswer(201, { ...client, client_secret_expires_at: 0 }, only('RES-SECRET')).body;
    expect(typeof secret.client_secret).toBe('string');
    expect(secret).not.toHaveProperty('client_secret_expires_at');
  });

  test('TOKEN-RESPONSE drops token_type', () => {
    expect(tokenAnswer({ access_token: 't', token_type: 'Bearer', expires_in: 300 }, only('TOKEN-RESPONSE'))).toEqual({ access_token: 't', expires_in: 300 });
  });
});
