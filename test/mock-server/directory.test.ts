import { compactVerify, importJWK } from 'jose';
import { MockDirectory, checkPublicJwks } from '../../mock-server/directory/directory';
import { createDirectoryKey } from '../../mock-server/tls/certs';
import { signingKey } from '../../fixtures/keys';
import { decodePayload } from '../../fixtures/registration';
import { OAuthError } from '../../mock-server/errors';

let dir: MockDirectory;
beforeAll(async () => {
  dir = new MockDirectory({ issuer: 'Test Directory', signingKey: await createDirectoryKey(), baseUrl: 'https://bank.test/directory', seed: 7 });
});

describe('MockDirectory.mint', () => {
  test('fills omitted claims, signs PS256 with its kid, hosts the generated key', async () => {
    const r = await dir.mint();
    expect(r.software_id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(r.org_id).toMatch(/^[0-9A-Za-z]{18}$/);
    const { protectedHeader } = await compactVerify(r.software_statement, await importJWK(dir.jwks().keys[0]!, 'PS256'));
    expect(protectedHeader).toMatchObject({ alg: 'PS256', kid: dir.kid });
    const c = decodePayload(r.software_statement);
    expect(c).toMatchObject({ iss: 'Test Directory', software_id: r.software_id, software_roles: ['AISP', 'PISP', 'CBPII'] });
    for (const k of ['software_client_name', 'software_redirect_uris', 'org_contacts', 'software_jwks_endpoint', 'exp', 'jti']) expect(c).toHaveProperty(k);
    expect(r.signing_key?.d).toBeDefined();
    expect(dir.softwareJwks(r.software_id)?.keys[0]).not.toHaveProperty('d');
    expect(dir.resolveJwksUrl(r.software_jwks_endpoint)).toEqual(dir.softwareJwks(r.software_id));
  });

  test('hosts a given public JWKS and returns no private key', async () => {
    const k = await signingKey();
    const r = await dir.mint({ software_id: 'abc123', jwks: { keys: [k.publicJwk] }, software_roles: ['AISP'] });
    expect(r.signing_key).toBeUndefined();
    expect(dir.softwareJwks('abc123')?.keys.map((x) => x.kid)).toContain(k.kid);
  });

  test('exp null leaves exp out; iat and exp can be set for negative tests', async () => {
    expect(decodePayload((await dir.mint({ exp: null })).software_statement)).not.toHaveProperty('exp');
    expect(decodePayload((await dir.mint({ iat: 100, exp: 200 })).software_statement)).toMatchObject({ iat: 100, exp: 200 });
  });

  test.each([
    [{ software_id: 'has-dash' }, /software_id/],
    [{ software_id: 'x'.repeat(23) }, /software_id/],
    [{ org_id: 5 }, /org_id/],
    [{ software_redirect_uris: 'https://x' }, /software_redirect_uris/],
    [{ software_redirect_uris: ['not a uri'] }, /software_redirect_uris/],
    [{ software_roles: ['ADMIN'] }, /software_roles/],
    [{ iat: 1.5 }, /iat/],
    [{ jwks: { keys: [] } }, /jwks/],
    [[1, 2], /JSON object/],
  ])('refuses %j with invalid_request naming the field', async (input, msg) => {
    await expect(dir.mint(input)).rejects.toThrow(msg);
    await expect(dir.mint(input)).rejects.toBeInstanceOf(OAuthError);
  });
});

describe('checkPublicJwks', () => {
  test('refuses private key material and strips unknown members', async () => {
    const k = await signingKey();
    expect(() => checkPublicJwks({ keys: [k.privateJwk] })).toThrow(/private key material/);
    expect(checkPublicJwks({ keys: [{ ...k.publicJwk, extra: 1 }] }).keys[0]).not.toHaveProperty('extra');
    expect(() => checkPublicJwks({ keys: [{ kty: 'oct', k: 'x', kid: 'a' }] })).toThrow(/unsupported key type/);
    expect(() => checkPublicJwks({ keys: [{ ...k.publicJwk, kid: undefined }] })).toThrow(/kid/);
  });
});

describe('hosted software JWKS survive a restart when a file is given', () => {
  test('a second directory on the same file serves what the first hosted', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'dir-')), 'software.json');
    const key = await createDirectoryKey();
    const first = new MockDirectory({ issuer: 'D', signingKey: key, baseUrl: 'https://b/directory', softwareFile: file });
    const r = await first.mint();
    const second = new MockDirectory({ issuer: 'D', signingKey: key, baseUrl: 'https://b/directory', softwareFile: file });
    expect(second.softwareJwks(r.software_id)).toEqual(first.softwareJwks(r.software_id));
    expect(JSON.stringify(second.softwareJwks(r.software_id))).not.toContain('"d"');
  });
});

test('an iss override is signed with the directory key (the pack probes banks that never compare iss); a bad one is refused', async () => {
  const r = await dir.mint({ iss: 'Another Directory' });
  expect(JSON.parse(Buffer.from(r.software_statement.split('.')[1]!, 'base64url').toString()).iss).toBe('Another Directory');
  await expect(dir.mint({ iss: '' })).rejects.toMatchObject({ status: 400 });
  await expect(dir.mint({ iss: 42 })).rejects.toMatchObject({ status: 400 });
});
