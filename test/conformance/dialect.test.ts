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
    expect(field(() => loadTarget({ env: { DCR_DIALECT: 'cdr', DCR_REGISTRATION_ENDPOINT: 'https://as.example.com/reg' } }))).toBe('DCR_DIALECT');
    expect(field(() => resolveTarget({ discoveryUrl: 'https://as.example.com/x' }))).toBe('transportCert');
    expect(field(() => resolveTarget({ dialect: 'rfc7591', discoveryUrl: 'https://as.example.com/x', directory: 'mock-endpoint' }))).toBe('directory');
  });

  test('every dialect is data: a content type, a management authorisation and what the target must give', () => {
    expect(Object.keys(DIALECTS).sort()).toEqual(['obf', 'obie', 'rfc7591']);
    expect(DIALECTS.obf).toMatchObject({ contentType: 'application/json', managementAuth: 'registration-access-token', needsDirectory: true, needsTransport: true, certificateIdentity: 'uid-organization-identifier' });
    expect(DIALECTS.rfc7591).toMatchObject({ contentType: 'application/json', managementAuth: 'registration-access-token', needsDirectory: false, needsTransport: false });
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
