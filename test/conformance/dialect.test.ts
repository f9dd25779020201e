import { loadTarget, resolveTarget, TargetConfigError, describeTarget } from '../../conformance/target';
import { checks } from '../../conformance/rules';
import { dialectsOf, DIALECTS } from '../../conformance/dialects';
import { evaluate, notApplicable, notApplicableTo } from '../../conformance/rules/define';

const field = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof TargetConfigError ? e.field : `not a config error: ${(e as Error).message}`;
  }
  return 'no error';
};

describe('the target declares its dialect', () => {
  test('rfc7591 needs no SSA and no client certificate; JSON bodies, the RAT for management, an initial access token when given', () => {
    const t = resolveTarget({ dialect: 'rfc7591', discoveryUrl: 'https://as.example.com/.well-known/openid-configuration', initialAccessToken: 'iat' });
    expect(t).toMatchObject({ dialect: 'rfc7591', directory: { mode: 'none' }, initialAccessToken: 'iat', capabilities: { contentType: 'application/json', authMethods: ['client_secret_basic'] } });
    expect(t.transport).toBeUndefined();
    expect(describeTarget(t)).toMatchObject({ dialect: 'rfc7591', initialAccessToken: '(redacted)', transport: '(none: no client certificate)' });
  });

  test('DCR_DIALECT and DCR_INITIAL_ACCESS_TOKEN are read from the environment', () => {
    const t = loadTarget({ env: { DCR_DIALECT: 'rfc7591', DCR_REGISTRATION_ENDPOINT: 'https://as.example.com/reg', DCR_INITIAL_ACCESS_TOKEN: 'x' } });
    expect([t.dialect, t.initialAccessToken]).toEqual(['rfc7591', 'x']);
  });

  test('an unknown dialect, an obie target without a certificate, an rfc7591 target without a usable directory: each fails naming the field', () => {
    expect(field(() => loadTarget({ env: { DCR_DIALECT: 'no-such-dialect', DCR_REGISTRATION_ENDPOINT: 'https://as.example.com/reg' } }))).toBe('DCR_DIALECT');
    expect(field(() => resolveTarget({ discoveryUrl: 'https://as.example.com/x' }))).toBe('transportCert');
    expect(field(() => resolveTarget({ dialect: 'rfc7591', discoveryUrl: 'https://as.example.com/x', directory: 'mock-endpoint' }))).toBe('directory');
  });

  test('every dialect is data: a content type, a management authorisation and what the target must give', () => {
    expect(Object.keys(DIALECTS).sort()).toEqual(['cdr', 'obf', 'obie', 'rfc7591']);
    expect(DIALECTS.obf).toMatchObject({ contentType: 'application/json', managementAuth: 'registration-access-token', needsDirectory: true, needsTransport: true, certificateIdentity: 'uid-organization-identifier' });
    expect(DIALECTS.rfc7591).toMatchObject({ contentType: 'application/json', managementAuth: 'registration-access-token', needsDirectory: false, needsTransport: false });
  });
});

describe('the cdr dialect (Australia CDR)', () => {
  const base = { dialect: 'cdr', registrationEndpoint: 'https://dh.example.com/connect/register' } as const;

  test('application/jwt, a client_credentials token of scope cdr:registration, private_key_jwt; a certificate and an SSA source are required', () => {
    expect(DIALECTS.cdr).toMatchObject({ contentType: 'application/jwt', managementAuth: 'client-credentials', managementScope: 'cdr:registration', needsDirectory: true, needsTransport: true, defaultAuthMethods: ['private_key_jwt'] });
    expect(field(() => resolveTarget(base))).toBe('transportCert');
  });

  test('SSAs: the mock Register at the bank\'s origin by default; a local Register key signs as cdr-register', async () => {
    const { generateBundle } = await import('../../mock-server/tls/certs');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const certs = await generateBundle();
    const dir = mkdtempSync(join(tmpdir(), 'cdr-target-'));
    for (const [f, v] of Object.entries({ 'tpp.pem': certs.tpp.cert, 'tpp.key': certs.tpp.key, 'register.jwk.json': JSON.stringify(certs.directoryKey) })) writeFileSync(join(dir, f), v);
    const files = { transportCert: join(dir, 'tpp.pem'), transportKey: join(dir, 'tpp.key') };
    expect(resolveTarget({ ...base, ...files, directory: 'mock-endpoint' }).directory).toMatchObject({ mode: 'mock-endpoint', url: 'https://dh.example.com/cdr-register/v1' });
    expect(resolveTarget({ ...base, ...files, directoryKey: join(dir, 'register.jwk.json'), softwareJwksEndpoint: 'https://adr.example.com/jwks', signingKey: join(dir, 'register.jwk.json') }).directory).toMatchObject({ mode: 'local-key', issuer: 'cdr-register' });
  }, 30_000);

  test('its checks are CDR-* and apply to cdr alone', () => {
    const cdr = checks.filter((c) => dialectsOf(c).includes('cdr'));
    expect(cdr.length).toBeGreaterThan(20);
    expect(cdr.every((c) => /^CDR-/.test(c.id) && dialectsOf(c).join() === 'cdr')).toBe(true);
    expect(notApplicableTo(cdr[0]!, 'obie')).toMatch(/cdr.*obie/);
  });
});

describe('a check of another dialect is n/a, with the reason', () => {
  test('every check applies to at least one dialect; the existing ones to obie by default', () => {
    expect(checks.filter((c) => dialectsOf(c).length === 0)).toEqual([]);
    expect(checks.filter((c) => c.dialects === undefined).every((c) => dialectsOf(c).join() === 'obie')).toBe(true);
    expect(checks.filter((c) => dialectsOf(c).includes('rfc7591')).every((c) => /^RFC759[12]-/.test(c.id))).toBe(true);
  });

  test('the reason names both dialects; the outcome is n/a, never pass', () => {
    const obie = checks.find((c) => c.id === 'DCR-004-RS256')!;
    const why = notApplicableTo(obie, 'rfc7591')!;
    expect(why).toMatch(/obie.*rfc7591/);
    expect(notApplicableTo(obie, 'obie')).toBeUndefined();
    expect(notApplicable(obie, why)).toMatchObject({ id: 'DCR-004-RS256', outcome: 'n/a', message: why });
    expect(evaluate(obie, new Map()).outcome).toBe('skip');
  });
});
