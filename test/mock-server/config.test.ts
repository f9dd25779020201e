import { loadConfig, resolveConfig, ConfigError, HELP } from '../../mock-server/config';

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
