import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { getToken, manageClient, registerClient } from '../../fixtures/token';
import { issueTransportCert } from '../../mock-server/tls/certs';
import { refusal } from '../../fixtures/https';

let bank: MockBank;
let tpp: TestTpp;

beforeAll(async () => {
  bank = await startMockBank();
  tpp = await createTpp(bank);
});
afterAll(() => bank.close());


describe('client management: the full lifecycle', () => {
  test('register, token, GET 200, PUT 200, DELETE 204, GET 401, the same token then 401', async () => {
    const client = await registerClient(tpp, 'private_key_jwt');
    const token = await getToken(bank, client);

    const got = await manageClient(bank, 'GET', client.client_id, token);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(client.body);

    const put = await manageClient(bank, 'PUT', client.client_id, token, {
      body: await tpp.sign(tpp.claims({ client_id: client.client_id, tls_client_auth_subject_dn: undefined, redirect_uris: [tpp.redirectUris[1]] }, { authMethod: 'private_key_jwt' })),
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ client_id: client.client_id, redirect_uris: [tpp.redirectUris[1]] });

    const after = await manageClient(bank, 'GET', client.client_id, token);
    expect(after.status).toBe(200); // PUT-KEEPS-TOKENS
    expect(after.json).toMatchObject({ redirect_uris: [tpp.redirectUris[1]] });

    const del = await manageClient(bank, 'DELETE', client.client_id, token);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');

    const gone = await manageClient(bank, 'GET', client.client_id, token);
    expect(gone.status).toBe(401);
    expect(gone.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(refusal(gone)).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-TOKEN-VALID' }); // DEL-REVOKES-TOKENS
    expect(await bank.store.getClient(client.client_id)).toBeUndefined();
  });

  test('GET answers the registration response shape, secret included for secret clients', async () => {
    const client = await registerClient(tpp, 'client_secret_basic');
    const res = await manageClient(bank, 'GET', client.client_id, await getToken(bank, client));
    expect(res.json).toEqual(client.body);
  });
});

describe('client management: refusals', () => {
  test('MGT-CLIENT-MATCH: a valid token of another client is 403', async () => {
    const a = await registerClient(tpp, 'tls_client_auth');
    const b = await registerClient(tpp, 'tls_client_auth');
    const res = await manageClient(bank, 'GET', b.client_id, await getToken(bank, a));
    expect(refusal(res)).toEqual({ status: 403, error: 'access_denied', rule: 'MGT-CLIENT-MATCH' });
    const del = await manageClient(bank, 'DELETE', b.client_id, await getToken(bank, a));
    expect(del.status).toBe(403);
    expect(await bank.store.getClient(b.client_id)).toBeDefined();
  });

  test('MGT-UNKNOWN-CLIENT: an unknown ClientId is 401 and revokes the presented token at once', async () => {
    const a = await registerClient(tpp, 'tls_client_auth');
    const token = await getToken(bank, a);
    const res = await manageClient(bank, 'GET', 'no-such-client', token);
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-UNKNOWN-CLIENT' });
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const again = await manageClient(bank, 'GET', a.client_id, token);
    expect(refusal(again)).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-TOKEN-VALID' });
  });

  test.each([
    ['missing', undefined],
    ['empty', 'Bearer '],
    ['not Bearer', 'Basic abc'],
  ])('MGT-BEARER-REQUIRED: %s Authorization is 401', async (_n, authorization) => {
    const a = await registerClient(tpp, 'tls_client_auth');
    const res = await manageClient(bank, 'GET', a.client_id, undefined, authorization === undefined ? {} : { authorization });
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-BEARER-REQUIRED' });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  test('MGT-TOKEN-VALID: an unknown or expired token is 401', async () => {
    const a = await registerClient(tpp, 'tls_client_auth');
    const res = await manageClient(bank, 'GET', a.client_id, 'made-up-token');
    expect(refusal(res)).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-TOKEN-VALID' });
    const token = await getToken(bank, a);
    const { tokenHash } = await import('../../mock-server/core/token');
    const record = (await bank.store.getToken(tokenHash(token)))!;
    await bank.store.saveToken({ ...record, expires_at: Math.floor(Date.now() / 1000) - 1 });
    expect(refusal(await manageClient(bank, 'GET', a.client_id, token))).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-TOKEN-VALID' });
  });

  test('MGT-TOKEN-CERT-BOUND: a certificate-bound token with another certificate, or none, is 401', async () => {
    const a = await registerClient(tpp, 'client_secret_post');
    const token = await getToken(bank, a);
    const other = await issueTransportCert(bank.certs.ca, bank.tpp);
    expect(refusal(await manageClient(bank, 'GET', a.client_id, token, { client: other }))).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-TOKEN-CERT-BOUND' });
    expect(refusal(await manageClient(bank, 'GET', a.client_id, token, { client: null }))).toEqual({ status: 401, error: 'invalid_token', rule: 'MGT-TOKEN-CERT-BOUND' });
    expect((await manageClient(bank, 'GET', a.client_id, token)).status).toBe(200);
  });

  test('REQ-CLIENT-ID-PATH: a PUT whose client_id claim differs from the path is refused', async () => {
    const a = await registerClient(tpp, 'tls_client_auth');
    const token = await getToken(bank, a);
    const res = await manageClient(bank, 'PUT', a.client_id, token, { body: await tpp.sign(tpp.claims({ client_id: 'another-id' })) });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-CLIENT-ID-PATH' });
  });

  test('PUT-SOFTWARE-ID: a PUT carrying another software\'s SSA (consistent claims) is refused; the client keeps its software_id', async () => {
    const a = await registerClient(tpp, 'client_secret_basic');
    const token = await getToken(bank, a);
    const other = await createTpp(bank, { software_id: 'AnotherSoftware77' });
    const body = await other.sign(other.claims({ client_id: a.client_id, tls_client_auth_subject_dn: undefined }, { authMethod: 'client_secret_basic' }));
    const res = await manageClient(bank, 'PUT', a.client_id, token, { body });
    expect(refusal(res)).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'PUT-SOFTWARE-ID' });
    expect((await bank.store.getClient(a.client_id))?.metadata.software_id).toBe(tpp.softwareId);
  });

  test('PUT is validated like POST: a replayed jti, no certificate', async () => {
    const a = await registerClient(tpp, 'tls_client_auth');
    const token = await getToken(bank, a);
    const jwt = await tpp.sign(tpp.claims());
    expect((await manageClient(bank, 'PUT', a.client_id, token, { body: jwt })).status).toBe(200);
    expect(refusal(await manageClient(bank, 'PUT', a.client_id, token, { body: jwt }))).toEqual({ status: 400, error: 'invalid_client_metadata', rule: 'REQ-JTI-REPLAY' });
    const noCert = await manageClient(bank, 'PUT', a.client_id, token, { body: await tpp.sign(tpp.claims()), client: null });
    expect(refusal(noCert)).toEqual({ status: 401, error: 'invalid_client', rule: 'TLS-CERT-REQUIRED' });
  });
});

describe('client management: faults switch rules off', () => {
  let faulty: MockBank;
  let ftpp: TestTpp;
  beforeAll(async () => {
    faulty = await startMockBank({ faults: ['MGT-UNKNOWN-CLIENT', 'DEL-REVOKES-TOKENS', 'MGT-CLIENT-MATCH', 'PUT-KEEPS-TOKENS', 'MGT-TOKEN-CERT-BOUND'] });
    ftpp = await createTpp(faulty);
  });
  afterAll(() => faulty.close());

  test('MGT-UNKNOWN-CLIENT: an unknown ClientId is 404 not_found and the token survives', async () => {
    const a = await registerClient(ftpp, 'tls_client_auth');
    const token = await getToken(faulty, a);
    expect(refusal(await manageClient(faulty, 'GET', 'no-such-client', token))).toEqual({ status: 404, error: 'not_found', rule: 'MGT-UNKNOWN-CLIENT' });
    expect((await manageClient(faulty, 'GET', a.client_id, token)).status).toBe(200);
  });

  test('MGT-CLIENT-MATCH: another client\'s token is accepted', async () => {
    const a = await registerClient(ftpp, 'tls_client_auth');
    const b = await registerClient(ftpp, 'tls_client_auth');
    expect((await manageClient(faulty, 'GET', b.client_id, await getToken(faulty, a))).status).toBe(200);
  });

  test('MGT-TOKEN-CERT-BOUND: a bound token works without its certificate', async () => {
    const a = await registerClient(ftpp, 'client_secret_post');
    expect((await manageClient(faulty, 'GET', a.client_id, await getToken(faulty, a), { client: null })).status).toBe(200);
  });

  test('PUT-KEEPS-TOKENS: a PUT revokes the tokens', async () => {
    const a = await registerClient(ftpp, 'tls_client_auth');
    const token = await getToken(faulty, a);
    expect((await manageClient(faulty, 'PUT', a.client_id, token, { body: await ftpp.sign(ftpp.claims()) })).status).toBe(200);
    expect(refusal(await manageClient(faulty, 'GET', a.client_id, token))).toMatchObject({ status: 401, rule: 'MGT-TOKEN-VALID' });
  });

  test('PUT-SOFTWARE-ID: the fault lets a PUT change the software_id', async () => {
    const f = await startMockBank({ faults: ['PUT-SOFTWARE-ID'] });
    try {
      const t = await createTpp(f);
      const a = await registerClient(t, 'client_secret_basic');
      const other = await createTpp(f, { software_id: 'AnotherSoftware77' });
      const body = await other.sign(other.claims({ client_id: a.client_id, tls_client_auth_subject_dn: undefined }, { authMethod: 'client_secret_basic' }));
      const res = await manageClient(f, 'PUT', a.client_id, await getToken(f, a), { body });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ software_id: 'AnotherSoftware77' });
    } finally {
      await f.close();
    }
  });

  test('DEL-REVOKES-TOKENS: the tokens survive DELETE', async () => {
    const a = await registerClient(ftpp, 'tls_client_auth');
    const token = await getToken(faulty, a);
    expect((await manageClient(faulty, 'DELETE', a.client_id, token)).status).toBe(204);
    const { tokenHash } = await import('../../mock-server/core/token');
    expect(await faulty.store.getToken(tokenHash(token))).toBeDefined();
  });
});

describe('client management: behaviour faults', () => {
  let faulty: MockBank;
  let ftpp: TestTpp;
  beforeAll(async () => {
    faulty = await startMockBank({ faults: ['MGT-BEARER-REQUIRED', 'MGT-GET'] });
    ftpp = await createTpp(faulty);
  });
  afterAll(() => faulty.close());

  test('MGT-BEARER-REQUIRED: a request without a bearer token acts as the client in the path', async () => {
    const a = await registerClient(ftpp, 'tls_client_auth');
    const del = await manageClient(faulty, 'DELETE', a.client_id, undefined);
    expect(del.status).toBe(204);
  });

  test('MGT-GET: GET on the client\'s own token answers 404 not_found', async () => {
    const a = await registerClient(ftpp, 'tls_client_auth');
    expect(refusal(await manageClient(faulty, 'GET', a.client_id, await getToken(faulty, a)))).toEqual({ status: 404, error: 'not_found', rule: 'MGT-GET' });
  });
});
