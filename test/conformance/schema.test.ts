import { clientSchemaErrors } from '../../conformance/rules/registration';
import { checkById } from '../../conformance/rules';
import { evaluate } from '../../conformance/rules/define';
import type { Recorded } from '../../conformance/exchange';

const valid = {
  client_id: 'a'.repeat(36), client_secret: 'b'.repeat(36), client_secret_expires_at: 0, software_id: 'AbC123', redirect_uris: ['https://tpp.example.com/cb'],
  token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], scope: 'openid accounts',
};

test('the OBIE data dictionary limits: a valid client has no schema error', () => {
  expect(clientSchemaErrors(valid)).toEqual([]);
});

test.each([
  ['client_id', { client_id: 'a'.repeat(37) }],
  ['client_secret', { client_secret: 'b'.repeat(43) }],
  ['software_id', { software_id: 'not-base62' }],
  ['software_id', { software_id: 'a'.repeat(23) }],
  ['scope', { scope: 'x'.repeat(257) }],
  ['tls_client_auth_subject_dn', { tls_client_auth_subject_dn: `CN=${'x'.repeat(130)}` }],
  ['id_token_signed_response_alg', { id_token_signed_response_alg: ['PS256'] }],
  ['token_endpoint_auth_signing_alg', { token_endpoint_auth_method: 'private_key_jwt' }],
])('%s out of the data dictionary is a schema error', (field, patch) => {
  expect(clientSchemaErrors({ ...valid, ...patch }).some((e) => e.startsWith(field))).toBe(true);
});

const answer = (b: Record<string, unknown>, clientId = 'c1'): Recorded => ({
  name: 'register-client-secret-basic', request: { method: 'POST', url: 'https://bank/register', headers: {} }, status: 201,
  headers: { 'content-type': 'application/json' }, text: JSON.stringify(b), json: b, ms: 1, sent: {}, clientId,
});

test('RES-SCHEMA-SECRET-CLIENT fails on a 43-character secret or a missing client_secret_expires_at, passes on a valid answer, is blocked without a client', () => {
  const check = checkById('RES-SCHEMA-SECRET-CLIENT')!;
  const run = (r: Recorded) => evaluate(check, new Map([['register-client-secret-basic', r]])).outcome;
  expect(run(answer(valid))).toBe('pass');
  expect(run(answer({ ...valid, client_secret: 'b'.repeat(43) }))).toBe('fail');
  const { client_secret_expires_at: _gone, ...noExpiry } = valid;
  expect(run(answer(noExpiry))).toBe('fail');
  expect(run({ ...answer({ error: 'invalid_client_metadata' }), status: 400, clientId: undefined })).toBe('blocked');
});

test('substitution (RFC 7591 2): a refused value replaced and returned passes, the refused value kept fails, a refusal passes', () => {
  const check = checkById('DCR-011-RESPONSE-TYPES')!;
  const run = (r: Recorded) => evaluate(check, new Map([['register-response-types', { ...r, name: 'register-response-types' }]])).outcome;
  expect(run(answer({ ...valid, response_types: ['code'] }))).toBe('pass');
  expect(run(answer({ ...valid, response_types: ['id_token', 'token'] }))).toBe('fail');
  expect(run(answer({ ...valid }))).toBe('fail');
  expect(run({ ...answer({ error: 'invalid_client_metadata', error_description: 'no' }), status: 400, clientId: undefined })).toBe('pass');
});
