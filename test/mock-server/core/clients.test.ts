import { clientResponse } from '../../../mock-server/core/clients';
import { getProfile } from '../../../mock-server/profiles';
import type { ClientRecord } from '../../../mock-server/store/types';

function record(extra: Partial<ClientRecord> = {}): ClientRecord {
  return {
    client_id: 'c-1',
    client_id_issued_at: 1_700_000_000,
    metadata: { token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=tpp', redirect_uris: ['https://tpp.example/cb'], scope: 'accounts payments' } as unknown as ClientRecord['metadata'],
    ssa: { iss: 'directory', iat: 1, exp: 2, jti: 'j', software_id: 'sw', software_client_name: 'From SSA', redirect_uris: ['https://ssa.example/cb'] },
    software_jwks_endpoint: 'https://directory.example/jwks',
    profile: 'obie',
    ...extra,
  };
}

describe('clientResponse', () => {
  test('obie: SSA claims without the JWT ones, overridden by the registered metadata, then the ids', () => {
    const out = clientResponse(record(), getProfile('obie'));
    expect(out).toEqual({
      client_id: 'c-1',
      client_id_issued_at: 1_700_000_000,
      software_id: 'sw',
      software_client_name: 'From SSA',
      redirect_uris: ['https://tpp.example/cb'],
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=tpp',
      scope: 'accounts payments',
    });
    expect(Object.keys(out).slice(0, 2)).toEqual(['client_id', 'client_id_issued_at']);
  });

  test('a secret is answered with client_secret_expires_at', () => {
    const out = clientResponse(record({ client_secret: 's3cret' }), getProfile('obie'));
    expect(out).toMatchObject({ client_secret: 's3cret', client_secret_expires_at: 0 });
    expect(clientResponse(record(), getProfile('obie'))).not.toHaveProperty('client_secret');
  });

  test('obie-3.1: renames and the scope as an array', () => {
    const out = clientResponse(record(), getProfile('obie-3.1'));
    expect(out.tls_client_auth_dn).toBe('CN=tpp');
    expect(out).not.toHaveProperty('tls_client_auth_subject_dn');
    expect(out.scope).toEqual(['accounts', 'payments']);
  });

  test('a "__proto__" claim stays a plain field and never becomes the prototype', () => {
    const ssa = JSON.parse('{"software_id":"sw","__proto__":{"polluted":true}}') as Record<string, unknown>;
    const out = clientResponse(record({ ssa }), getProfile('obie'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out)).__proto__).toEqual({ polluted: true });
  });
});
