import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, resolveConfig, ConfigError, HELP, type MockBankConfig } from '../../mock-server/config';
import { startMockBank } from '../../mock-server/runtime';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';

describe('loadConfig', () => {
  test('defaults: https://localhost:8443, bound to 127.0.0.1, obie', () => {
    const cfg = loadConfig({}, []);
    expect(cfg).toMatchObject({ port: 8443, host: '127.0.0.1', publicUrl: 'https://localhost:8443', profile: 'obie' });
  });
  test('env sets values and flags win over env', () => {
    const cfg = loadConfig({ PORT: '9000', PUBLIC_URL: 'https://bank.example/', LOG_LEVEL: 'warn' }, ['--port', '9100']);
    expect(cfg).toMatchObject({ port: 9100, publicUrl: 'https://bank.example', logLevel: 'warn' });
  });
  test('profile settings: portal application, delete switch, SMTP and outbox', () => {
    const cfg = loadConfig({ PROFILE: 'cpb-sandbox', PORTAL_CLIENT_ID: 'app', PORTAL_CLIENT_SECRET: 's', MANAGEMENT_DELETE: 'false', SMTP_URL: 'smtp://127.0.0.1:2525', OUTBOX_SIZE: '5' }, []);
    expect(cfg).toMatchObject({ profile: 'cpb-sandbox', portalClientId: 'app', portalClientSecret: 's', managementDelete: false, smtpUrl: 'smtp://127.0.0.1:2525', outboxSize: 5 });
    expect(loadConfig({}, ['--profile', 'email-deferred'])).toMatchObject({ profile: 'email-deferred' });
  });
  test('AUTH_METHODS (or --auth-methods, which wins) narrows the profile\'s auth methods', () => {
    expect(loadConfig({ AUTH_METHODS: 'private_key_jwt, tls_client_auth' }, [])).toMatchObject({ authMethods: ['private_key_jwt', 'tls_client_auth'] });
    expect(loadConfig({ AUTH_METHODS: 'private_key_jwt' }, ['--auth-methods', 'client_secret_basic'])).toMatchObject({ authMethods: ['client_secret_basic'] });
    expect((loadConfig({}, []) as MockBankConfig).authMethods).toBeUndefined();
    expect(HELP).toContain('AUTH_METHODS');
    expect(resolveConfig({ authMethods: ['tls_client_auth'] }).authMethods).toEqual(['tls_client_auth']);
    expect(() => resolveConfig({ authMethods: ['nope'] as never })).toThrow(/^authMethods: unknown token_endpoint_auth_method "nope"/);
    expect(() => resolveConfig({ profile: 'revolut', authMethods: ['private_key_jwt'] })).toThrow(/^authMethods: profile revolut does not offer private_key_jwt/);
  });
  test('--help', () => {
    expect(loadConfig({}, ['--help'])).toBe('help');
    expect(HELP).toContain('--profile');
  });
  test.each([
    [{ PORT: 'abc' }, [], /PORT/],
    [{ PORT: '70000' }, [], /PORT/],
    [{ PUBLIC_URL: 'http://x' }, [], /PUBLIC_URL/],
    [{ PROFILE: 'nope' }, [], /PROFILE: unknown profile "nope"/],
    [{ LOG_LEVEL: 'loud' }, [], /LOG_LEVEL/],
    [{ MOCK_FAULTS: 'REQ-ISS,NOPE' }, [], /MOCK_FAULTS: unknown rule id "NOPE"/],
    [{ MAX_BODY_BYTES: '10' }, [], /MAX_BODY_BYTES/],
    [{}, ['--bogus'], /bogus/],
    [{ MANAGEMENT_DELETE: 'no' }, [], /MANAGEMENT_DELETE must be true or false/],
    [{ SMTP_URL: 'http://mail' }, [], /SMTP_URL must be an smtp/],
    [{ OUTBOX_SIZE: '0' }, [], /OUTBOX_SIZE/],
    [{ AUTH_METHODS: 'private_key_jwt,client_secret_jwt' }, [], /^AUTH_METHODS: unknown token_endpoint_auth_method "client_secret_jwt"/],
    [{ AUTH_METHODS: ' , ' }, [], /^AUTH_METHODS must name at least one of/],
    [{ AUTH_METHODS: 'private_key_jwt', PROFILE: 'revolut' }, [], /^AUTH_METHODS: profile revolut does not offer private_key_jwt \(it offers tls_client_auth\)/],
    [{ AUTH_METHODS: 'private_key_jwt' }, ['--profile', 'revolut'], /^AUTH_METHODS: profile revolut does not offer/],
    [{}, ['--auth-methods', 'password'], /^--auth-methods: unknown token_endpoint_auth_method "password"/],
  ])('%j %j is refused naming the field', (env, argv, msg) => {
    expect(() => loadConfig(env, argv as string[])).toThrow(ConfigError);
    expect(() => loadConfig(env, argv as string[])).toThrow(msg);
  });
});

describe('resolveConfig', () => {
  test('unknown keys fail with their name', () => {
    expect(() => resolveConfig({ prot: 1 } as never)).toThrow(/unknown config key "prot"/);
  });
  test('faults must be rule ids', () => {
    expect(resolveConfig({ faults: ['REQ-ISS'] }).faults).toEqual(['REQ-ISS']);
    expect(() => resolveConfig({ faults: ['X'] as never })).toThrow(/faults/);
  });
});

describe('start-up: certificate settings are checked before anything listens', () => {
  let dir: string;
  let bundle: CertBundle;
  const file = (name: string, content: string) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tlscfg-'));
    bundle = await generateBundle();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refused = async (options: Parameters<typeof startMockBank>[0]) => {
    try {
      const bank = await startMockBank({ certs: bundle, ...options });
      await bank.close();
      return 'started';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
  };

  test.each([
    ['TLS_CERT missing', () => ({ tlsCertFile: join(dir, 'nope.pem'), tlsKeyFile: file('k1.pem', bundle.server.key) }), /^TLS_CERT .*nope\.pem: cannot be read \(ENOENT\)/],
    ['TLS_CERT garbage', () => ({ tlsCertFile: file('garbage.pem', 'not a certificate'), tlsKeyFile: file('k2.pem', bundle.server.key) }), /^TLS_CERT .*: holds no PEM certificate/],
    ['TLS_CERT a broken PEM block', () => ({ tlsCertFile: file('broken.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), tlsKeyFile: file('k3.pem', bundle.server.key) }), /^TLS_CERT .*: certificate 1 does not parse/],
    ['TLS_KEY garbage', () => ({ tlsCertFile: file('c4.pem', bundle.server.cert), tlsKeyFile: file('k4.pem', 'garbage') }), /^TLS_KEY .*: is not an unencrypted PEM private key/],
    ['TLS_KEY not matching TLS_CERT', () => ({ tlsCertFile: file('c5.pem', bundle.server.cert), tlsKeyFile: file('k5.pem', bundle.tpp.key) }), /^TLS_KEY .*: does not match the certificate of TLS_CERT/],
    ['TLS_CERT without TLS_KEY', () => ({ tlsCertFile: file('c6.pem', bundle.server.cert) }), /^TLS_CERT is set without TLS_KEY/],
    ['TLS_CLIENT_CA garbage', () => ({ clientCaFiles: [file('ca-garbage.pem', 'garbage')] }), /^TLS_CLIENT_CA .*ca-garbage\.pem: holds no PEM certificate/],
    ['TLS_CLIENT_CA missing', () => ({ clientCaFiles: [join(dir, 'no-ca.pem')] }), /^TLS_CLIENT_CA .*no-ca\.pem: cannot be read/],
  ])('%s stops the start naming the variable', async (_n, options, message) => {
    expect(await refused(options())).toMatch(message);
  });

  test('a matching pair and a real CA file start', async () => {
    expect(await refused({ tlsCertFile: file('c7.pem', bundle.server.cert), tlsKeyFile: file('k7.pem', bundle.server.key), clientCaFiles: [file('ca7.pem', bundle.ca.cert)] })).toBe('started');
  });
});
