/** Every profile at once: one process per profile is not needed, each bank listens on its own port. */
import { startMockBank, type MockBank } from '../../../mock-server/runtime';
import { profiles } from '../../../mock-server/profiles';
import { httpsRequest } from '../../../fixtures/https';
import { HELP } from '../../../mock-server/config';
import { TOKEN_GRANT_TYPES } from '../../../mock-server/profiles/types';

const banks: MockBank[] = [];

beforeAll(async () => {
  for (const name of Object.keys(profiles)) banks.push(await startMockBank({ profile: name }));
});
afterAll(() => Promise.all(banks.map((b) => b.close())));

describe('several profiles running at once, on different ports', () => {
  test('GET /__admin/profile tells which profile answered', async () => {
    expect(new Set(banks.map((b) => b.port)).size).toBe(banks.length);
    for (const bank of banks) {
      const res = await httpsRequest(`${bank.url}/__admin/profile`, { ca: bank.ca });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ name: bank.config.profile, urls: { register: bank.urls.register, token: bank.urls.token } });
    }
  });

  test('each serves its own discovery document, reflecting what it supports', async () => {
    for (const bank of banks) {
      const p = profiles[bank.config.profile]!;
      const res = await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca });
      expect([p.name, res.json]).toEqual([p.name, expect.objectContaining({
        issuer: bank.issuer,
        registration_endpoint: `${bank.url}${p.basePath}${p.paths.register}`,
        token_endpoint: `${bank.url}${p.basePath}${p.paths.token}`,
        token_endpoint_auth_methods_supported: p.registration.authMethods,
        request_object_signing_alg_values_supported: p.registration.requestObjectAlgs,
        id_token_signing_alg_values_supported: p.registration.idTokenAlgs,
        grant_types_supported: p.token.grantTypes,
        response_types_supported: p.registration.responseTypes,
        scopes_supported: p.registration.scopes,
        request_parameter_supported: false,
      })]);
    }
  });

  test('discovery is truthful: every advertised grant is one /token serves, and no authorization endpoint is implied', async () => {
    for (const bank of banks) {
      const doc = (await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca })).json as Record<string, unknown>;
      expect([bank.config.profile, doc.grant_types_supported]).toEqual([bank.config.profile, ['client_credentials']]);
      expect(doc).not.toHaveProperty('authorization_endpoint');
      for (const grant of ['authorization_code', 'refresh_token', 'urn:openid:params:grant-type:ciba']) {
        const res = await httpsRequest(bank.urls.token, { method: 'POST', ca: bank.ca, client: bank.tpp, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=${encodeURIComponent(grant)}&client_id=x` });
        expect([bank.config.profile, grant, res.status]).toEqual([bank.config.profile, grant, 400]);
      }
    }
  });
});

describe('the profile registry', () => {
  test('every profile\'s token endpoint grants are ones the mock implements', () => {
    for (const p of Object.values(profiles)) for (const g of p.token.grantTypes) expect([p.name, TOKEN_GRANT_TYPES]).toEqual([p.name, expect.arrayContaining([g])]);
  });

  test('names are unique and each is listed with its description in --help', () => {
    for (const p of Object.values(profiles)) expect(HELP).toContain(`${p.name.padEnd(15)} ${p.description}`);
  });

  test('a profile that emails its result does so only with a contact type, and only profiles with seeds name one', () => {
    for (const p of Object.values(profiles)) {
      if (p.registration.deferred) expect(p.registration.deferred.contactType).not.toBe('');
      // The references (obie, obie-3.1), the plain RFC 7591 server, the CDR data holder and Open Finance Brasil follow specifications, not seed banks.
      if (!['obie', 'obie-3.1', 'rfc7591', 'cdr', 'obf'].includes(p.name)) expect(p.source).toMatch(/^\d{3}_/);
    }
  });
});
