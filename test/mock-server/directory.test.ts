import { compactVerify, importJWK } from 'jose';
import { MockDirectory, checkPublicJwks } from '../../mock-server/directory/directory';
import { createDirectoryKey } from '../../mock-server/tls/certs';
import { signingKey } from '../../fixtures/keys';
import { decodePayload, publicJwks } from '../../fixtures/registration';
import { readFileSync } from 'node:fs';
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

describe('the directory keys the bank trusts', () => {
  test('one frozen JWKS for the trust store, equal to the published one, which stays a copy the caller may change', () => {
    const trusted = dir.trustedJwks();
    expect(dir.trustedJwks()).toBe(trusted);
    expect(dir.trustedJwks().keys[0]).toBe(trusted.keys[0]);
    expect(Object.isFrozen(trusted.keys[0])).toBe(true);
    expect(trusted).toEqual(dir.jwks());
    const published = dir.jwks();
    expect(published).not.toBe(dir.jwks());
    published.keys[0]!.kid = 'changed';
    expect(dir.trustedJwks().keys[0]!.kid).toBe(dir.kid);
    expect(dir.jwks().keys[0]!.kid).toBe(dir.kid);
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
  test('a second directory on the same file serves what the first hosted, and knows who owns it', async () => {
    const { mkdtempSync, existsSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'dir-')), 'software.json');
    const key = await createDirectoryKey();
    const first = new MockDirectory({ issuer: 'D', signingKey: key, baseUrl: 'https://b/directory', softwareFile: file });
    const r = await first.mint({}, { certThumbprint: 'owner-cert' });
    const more = await Promise.all([1, 2, 3].map(async () => first.mint({ software_id: r.software_id, jwks: publicJwks(await signingKey('ES256')) }, { softwareSecret: r.software_secret! })));
    // Written off the request path, coalesced: nothing on disk when the mints answer, one file after.
    expect(existsSync(file)).toBe(false);
    await first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = new MockDirectory({ issuer: 'D', signingKey: key, baseUrl: 'https://b/directory', softwareFile: file });
    expect(second.softwareJwks(r.software_id)).toEqual(first.softwareJwks(r.software_id));
    expect(second.softwareJwks(r.software_id)?.keys).toHaveLength(4);
    expect(more).toHaveLength(3);
    expect(JSON.stringify(second.softwareJwks(r.software_id))).not.toContain('"d"');
    expect(readFileSync(file, 'utf8')).not.toContain(r.software_secret!); // only its hash is kept
    // The owner is remembered: the certificate and the secret still work, nobody else does.
    await expect(second.mint({ software_id: r.software_id }, { certThumbprint: 'owner-cert' })).resolves.toMatchObject({ software_id: r.software_id });
    await expect(second.mint({ software_id: r.software_id }, { softwareSecret: r.software_secret! })).resolves.toMatchObject({ software_id: r.software_id });
    await expect(second.mint({ software_id: r.software_id }, {})).rejects.toMatchObject({ status: 403 });
    await second.close();
  });

  test('a file in the older format ({ software_id: jwks }) is served; its software ids, owner unknown, are closed to HTTP mints', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'dir-')), 'software.json');
    const old = await signingKey('ES256');
    writeFileSync(file, JSON.stringify({ oldSoftware1: publicJwks(old), tppSoftware1: publicJwks(old) }));
    const d = new MockDirectory({ issuer: 'D', signingKey: await createDirectoryKey(), baseUrl: 'https://b/directory', softwareFile: file, owners: { tppSoftware1: ['tpp-cert'] } });
    expect(d.softwareJwks('oldSoftware1')?.keys.map((k) => k.kid)).toEqual([old.kid]);
    await expect(d.mint({ software_id: 'oldSoftware1' }, {})).rejects.toThrow(/hosted before owners were recorded/);
    await expect(d.mint({ software_id: 'oldSoftware1' }, { certThumbprint: 'any' })).rejects.toMatchObject({ status: 403 });
    await expect(d.mint({ software_id: 'tppSoftware1' }, { certThumbprint: 'tpp-cert' })).resolves.toBeDefined();
    await expect(d.mint({ software_id: 'oldSoftware1' })).resolves.toBeDefined(); // in-process: the operator
    await d.close();
  });
});

test('an iss override is signed with the directory key (the pack probes banks that never compare iss); a bad one is refused', async () => {
  const r = await dir.mint({ iss: 'Another Directory' });
  expect(JSON.parse(Buffer.from(r.software_statement.split('.')[1]!, 'base64url').toString()).iss).toBe('Another Directory');
  await expect(dir.mint({ iss: '' })).rejects.toMatchObject({ status: 400 });
  await expect(dir.mint({ iss: 42 })).rejects.toMatchObject({ status: 400 });
});
