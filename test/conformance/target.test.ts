import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { loadTarget, describeTarget, TargetConfigError } from '../../conformance/target';
import { mockTarget } from '../../integration/mock-target';
import { openSession } from '../../conformance/session';
import { executePlan } from '../../conformance/plans/plan';
import { ssaPlan } from '../../conformance/plans/ssa.plan';
import { registrationPlan } from '../../conformance/plans/registration.plan';
import { evaluate } from '../../conformance/rules/define';
import { signingKey } from '../../fixtures/keys';
import { decodePayload, publicJwks } from '../../fixtures/registration';
import { createDirectoryAdapter } from '../../conformance/directory';

let bank: MockBank;
let dir: string;
beforeAll(async () => {
  bank = await startMockBank();
  dir = mkdtempSync(join(tmpdir(), 'dcr-target-'));
  writeFileSync(join(dir, 'tpp.pem'), bank.tpp.cert);
  writeFileSync(join(dir, 'tpp.key'), bank.tpp.key);
  writeFileSync(join(dir, 'ca.pem'), bank.ca);
  writeFileSync(join(dir, 'alt.pem'), bank.altTpp.cert);
  writeFileSync(join(dir, 'alt.key'), bank.altTpp.key);
  writeFileSync(join(dir, 'dir.jwk.json'), JSON.stringify(bank.certs.directoryKey));
}, 60_000);
afterAll(() => bank.close());

function file(config: Record<string, unknown>): string {
  const f = join(dir, `t${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(config));
  return f;
}
const base = () => ({ discoveryUrl: `${bank.url}/.well-known/openid-configuration`, transportCert: 'tpp.pem', transportKey: 'tpp.key', ca: 'ca.pem', directoryUrl: bank.urls.directory });

describe('loadTarget', () => {
  test('reads files relative to the config, defaults software_id, org_id and DN from the certificate', () => {
    const t = loadTarget({ configFile: file(base()), env: {} });
    expect(t.softwareId).toBe(bank.tpp.software_id);
    expect(t.orgId).toBe(bank.tpp.org_id);
    expect(t.subjectDn).toBe(bank.tpp.dn);
    expect(t.directory).toEqual({ mode: 'mock-endpoint', url: bank.urls.directory });
    expect(t.capabilities.management).toBe(true);
  });

  test('altTransportCert / altTransportKey: read together (env too), redacted when printed, never the transport certificate\'s DN', () => {
    const t = loadTarget({ configFile: file(base()), env: { DCR_ALT_TRANSPORT_CERT: join(dir, 'alt.pem'), DCR_ALT_TRANSPORT_KEY: join(dir, 'alt.key') } });
    expect(t.altTransport).toEqual({ cert: bank.altTpp.cert, key: bank.altTpp.key });
    expect(JSON.stringify(describeTarget(t))).not.toContain(bank.altTpp.key.slice(40, 80));
    expect(describeTarget(t).altTransport).toEqual({ cert: `(PEM, subject ${bank.altTpp.dn})`, key: '(redacted)' });
    expect(loadTarget({ configFile: file(base()), env: {} }).altTransport).toBeUndefined();
    expect(() => loadTarget({ configFile: file({ ...base(), altTransportCert: 'alt.pem' }), env: {} })).toThrow(/^altTransportKey: /);
    expect(() => loadTarget({ configFile: file({ ...base(), altTransportCert: 'tpp.pem', altTransportKey: 'tpp.key' }), env: {} })).toThrow(/^altTransportCert: .*subject DN/);
  });

  test('a transport key that is not the certificate\'s is a configuration error naming transportKey', () => {
    expect(() => loadTarget({ configFile: file({ ...base(), transportKey: 'alt.key' }), env: {} })).toThrow(/^transportKey: does not match transportCert/);
    writeFileSync(join(dir, 'garbage.key'), 'not a key');
    expect(() => loadTarget({ configFile: file({ ...base(), transportKey: 'garbage.key' }), env: {} })).toThrow(/^transportKey: is not a PEM private key/);
  });

  test('mock-endpoint without directoryUrl: the directory at the bank\'s origin, moving with --target (DCR_DISCOVERY_URL); a given directoryUrl stays', () => {
    const { directoryUrl: _, ...noDir } = base();
    const config = file({ ...noDir, directory: 'mock-endpoint' });
    expect(loadTarget({ configFile: config, env: {} }).directory).toEqual({ mode: 'mock-endpoint', url: bank.urls.directory });
    const moved = loadTarget({ configFile: config, env: { DCR_DISCOVERY_URL: 'https://127.0.0.1:9999/base/.well-known/openid-configuration' } });
    expect(moved.directory).toEqual({ mode: 'mock-endpoint', url: 'https://127.0.0.1:9999/directory' });
    const pinned = loadTarget({ configFile: file({ ...base(), directory: 'mock-endpoint' }), env: { DCR_DISCOVERY_URL: 'https://127.0.0.1:9999/.well-known/openid-configuration' } });
    expect(pinned.directory).toEqual({ mode: 'mock-endpoint', url: bank.urls.directory });
  });

  test('conformance/targets/mock-local.json has no port of its own beside discoveryUrl: --target moves the directory too', () => {
    const cfg = new URL('../../conformance/targets/mock-local.json', import.meta.url).pathname;
    const raw = JSON.parse(readFileSync(cfg, 'utf8')) as Record<string, unknown>;
    expect(raw).not.toHaveProperty('directoryUrl');
    // Its certificate paths point at ./certs of the clone; use this test's instead.
    writeFileSync(join(dir, 'directory.jwk.json'), JSON.stringify(bank.certs.directoryKey));
    const env = { DCR_DISCOVERY_URL: 'https://localhost:50123/.well-known/openid-configuration', DCR_TRANSPORT_CERT: join(dir, 'tpp.pem'), DCR_TRANSPORT_KEY: join(dir, 'tpp.key'), DCR_CA: join(dir, 'ca.pem'), DCR_DIRECTORY_KEY: join(dir, 'directory.jwk.json'), DCR_ALT_TRANSPORT_CERT: join(dir, 'alt.pem'), DCR_ALT_TRANSPORT_KEY: join(dir, 'alt.key') };
    // It names the mock directory's signing key too (certs/directory-signing.jwk.json), for the SSA near misses that re-sign with it.
    expect(raw.directoryKey).toBe('../../certs/directory-signing.jwk.json');
    expect(loadTarget({ configFile: cfg, env }).directory).toEqual({ mode: 'mock-endpoint', url: 'https://localhost:50123/directory', key: bank.certs.directoryKey });
  });

  // The obf row names its software (the OBIE test certificate here has no UID to take it from).
  test.each([
    ['mock-cdr.json', 'cdr', '/cdr-register/v1', {}],
    ['mock-obf.json', 'obf', '/obf-directory', { DCR_SOFTWARE_ID: 'obf-software', DCR_ORG_ID: 'obf-org' }],
  ])('conformance/targets/%s (the README quick start) loads as a %s target, its directory %s at the bank\'s origin', (name, dialect, path, ids) => {
    const cfg = new URL(`../../conformance/targets/${name}`, import.meta.url).pathname;
    writeFileSync(join(dir, 'directory.jwk.json'), JSON.stringify(bank.certs.directoryKey));
    const env = { DCR_DISCOVERY_URL: 'https://localhost:50124/.well-known/openid-configuration', DCR_TRANSPORT_CERT: join(dir, 'tpp.pem'), DCR_TRANSPORT_KEY: join(dir, 'tpp.key'), DCR_CA: join(dir, 'ca.pem'), DCR_DIRECTORY_KEY: join(dir, 'directory.jwk.json'), DCR_ALT_TRANSPORT_CERT: join(dir, 'alt.pem'), DCR_ALT_TRANSPORT_KEY: join(dir, 'alt.key'), ...ids };
    const t = loadTarget({ configFile: cfg, env });
    expect(t.dialect).toBe(dialect);
    expect(t.directory).toMatchObject({ mode: 'mock-endpoint', url: `https://localhost:50124${path}` });
  });

  test('environment variables win over the file', () => {
    const t = loadTarget({ configFile: file(base()), env: { DCR_SPEC_VERSION: '3.1', DCR_MANAGEMENT: 'false', DCR_AUTH_METHODS: 'private_key_jwt' } });
    expect([t.specVersion, t.capabilities.management, t.capabilities.authMethods]).toEqual(['3.1', false, ['private_key_jwt']]);
  });

  test('headers, a registration token client and a scope format: parsed, the secret redacted when printed', () => {
    const t = loadTarget({
      configFile: file({ ...base(), headers: ['Accept: application/json', 'client_id: portal-app'], registrationClientId: 'portal-app', scopeFormat: 'string' }),
      env: { DCR_REGISTRATION_CLIENT_SECRET: 's3cret' },
    });
    expect(t.headers).toEqual({ accept: 'application/json', client_id: 'portal-app' });
    expect(t.registrationAuth).toEqual({ clientId: 'portal-app', clientSecret: 's3cret' });
    expect(t.capabilities.scopeFormat).toBe('string');
    expect(JSON.stringify(describeTarget(t))).not.toContain('s3cret');
    expect(() => loadTarget({ configFile: file({ ...base(), registrationClientId: 'portal-app' }), env: {} })).toThrow(/^registrationClientSecret: /);
    expect(() => loadTarget({ configFile: file({ ...base(), headers: ['no colon'] }), env: {} })).toThrow(/^headers: /);
  });

  test.each<[Record<string, unknown>, Record<string, string>, RegExp]>([
    [{ colour: 'blue' }, {}, /^colour: unknown field/],
    [{ discoveryUrl: 'http://bank.example.com/.well-known/openid-configuration' }, {}, /^discoveryUrl: must be an https URL/],
    [{}, { DCR_INSECURE: 'maybe' }, /^DCR_INSECURE: must be true or false/],
    [{ transportKey: 'missing.key' }, {}, /^transportKey: cannot read .*missing.key/],
    [{ directoryUrl: undefined }, {}, /^directory: say how SSAs are obtained/],
    [{ directory: 'given' }, {}, /^ssa: directory "given" needs ssa or ssaFile/],
    [{ authMethods: ['magic'] }, {}, /^authMethods: "magic" is not one of/],
  ])('%j %j is refused naming the field', (patch, env, message) => {
    const config = { ...base(), ...patch };
    expect(() => loadTarget({ configFile: file(config), env })).toThrow(TargetConfigError);
    expect(() => loadTarget({ configFile: file(config), env })).toThrow(message);
  });

  test('credentialHeaders and responseTypes: from the file or the environment, names lower-cased', () => {
    const t = loadTarget({ configFile: file({ ...base(), credentialHeaders: ['X-Client-Id', 'X-Client-Secret'], responseTypes: ['code'] }), env: {} });
    expect(t.capabilities.credentialHeaders).toEqual({ clientId: 'x-client-id', clientSecret: 'x-client-secret' });
    expect(t.capabilities.responseTypes).toEqual(['code']);
    const e = loadTarget({ configFile: file(base()), env: { DCR_CREDENTIAL_HEADERS: 'x-id', DCR_RESPONSE_TYPES: 'code,code id_token' } });
    expect(e.capabilities.credentialHeaders).toEqual({ clientId: 'x-id' });
    expect(e.capabilities.responseTypes).toEqual(['code', 'code id_token']);
    expect(loadTarget({ configFile: file(base()), env: {} }).capabilities).not.toHaveProperty('credentialHeaders');
  });

  test('credentialHeaders that are not header names are refused naming the field', () => {
    expect(() => loadTarget({ configFile: file({ ...base(), credentialHeaders: ['a b'] }), env: {} })).toThrow(TargetConfigError);
    expect(() => loadTarget({ configFile: file({ ...base(), credentialHeaders: ['a', 'b', 'c'] }), env: {} })).toThrow(/credentialHeaders/);
  });

  test('the printed configuration redacts keys and SSAs', () => {
    const t = loadTarget({ configFile: file({ ...base(), directory: 'local-key', directoryKey: 'dir.jwk.json', directoryUrl: bank.urls.directory }), env: {} });
    const text = JSON.stringify(describeTarget(t));
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(String(bank.certs.directoryKey.d));
  });
});

describe('directory adapters against the mock', () => {
  test('local-key: the pack mints SSAs with the directory key, the mock hosts the software JWKS; all SSA checks pass', async () => {
    const t = loadTarget({ configFile: file({ ...base(), directory: 'local-key', directoryKey: 'dir.jwk.json', directoryIssuer: bank.directory.issuer, management: false }), env: {} });
    const session = await openSession(t);
    const slots = await executePlan(ssaPlan, session);
    expect(ssaPlan.checks.map((c) => evaluate(c, slots)).filter((r) => r.outcome !== 'pass').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    const reg = await executePlan(registrationPlan, await openSession(t), registrationPlan.checks.filter((c) => c.id === 'DCR-002-REGISTER-201'));
    expect(evaluate(registrationPlan.checks.find((c) => c.id === 'DCR-002-REGISTER-201')!, reg).outcome).toBe('pass');
  }, 60_000);

  test('mock-endpoint: the adapter proves ownership with the transport certificate, or with the software_secret a creating mint returned; SSAs live an hour', async () => {
    const sw = (softwareId: string, key: Awaited<ReturnType<typeof signingKey>>) => ({ softwareId, orgId: bank.tpp.org_id, redirectUris: ['https://tpp.example.com/callback'], roles: ['AISP'], jwks: publicJwks(key) });
    const config = { mode: 'mock-endpoint' as const, url: bank.urls.directory };
    const tls = { ca: bank.ca, insecure: false, timeoutMs: 10_000 };
    const key = await signingKey('ES256');
    // The mock's own TPP software_id: the transport certificate mints for it; without it, 403 with the hint.
    const withCert = createDirectoryAdapter(config, sw(bank.tpp.software_id, key), tls, { cert: bank.tpp.cert, key: bank.tpp.key });
    const claims = decodePayload(await withCert.base());
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    await expect(createDirectoryAdapter(config, sw(bank.tpp.software_id, key), tls).base()).rejects.toThrow(/\(403\).*belongs to another transport certificate/s);
    // A new software_id without a certificate: the secret the first mint returned carries the later ones.
    const noCert = createDirectoryAdapter(config, sw('packNoCert1', key), tls);
    await noCert.base();
    expect(decodePayload(await noCert.mint!({ iat: 100, exp: 200 }))).toMatchObject({ iat: 100, exp: 200 });
    await expect(createDirectoryAdapter(config, sw('packNoCert1', key), tls).base()).rejects.toThrow(/\(403\)/);
  });

  test('given SSA: checks that need a minted SSA are declared skips with the reason; forged ones still run', async () => {
    const key = await signingKey('PS256');
    const minted = await bank.directory.mint({ software_id: bank.tpp.software_id, org_id: bank.tpp.org_id, software_redirect_uris: ['https://tpp.example.com/callback'], jwks: publicJwks(key) });
    const t = { ...mockTarget(bank), signingKey: key.privateJwk, directory: { mode: 'given' as const, ssa: minted.software_statement } };
    const slots = await executePlan(ssaPlan, await openSession(t));
    const results = ssaPlan.checks.map((c) => evaluate(c, slots));
    const skipped = results.filter((r) => r.outcome === 'skip');
    // Forged from the given SSA (another signer, no signature, a key of its own): no directory key needed, so they run.
    const forged = ['SSA-ALG-HS256', 'SSA-ALG-NONE', 'SSA-EMBEDDED-JWK', 'SSA-EMBEDDED-X5C', 'SSA-JKU', 'SSA-KID-ABSENT', 'SSA-SIGNATURE-ALTERED', 'SSA-SIGNATURE-STRIPPED', 'SSA-UNKNOWN-KID', 'SSA-UNTRUSTED-ISSUER', 'SSA-WRONG-KEY'];
    expect(results.filter((r) => r.outcome === 'pass').map((r) => r.id).sort()).toEqual(forged);
    expect(skipped.map((r) => r.id).sort()).toEqual(ssaPlan.checks.map((c) => c.id).filter((id) => !forged.includes(id)).sort());
    expect(skipped.every((r) => /fixed SSA|does not hold the directory signing key/.test(r.message))).toBe(true);
  }, 60_000);
});
