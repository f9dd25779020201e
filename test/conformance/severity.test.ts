import { checks } from '../../conformance/rules';
import { defineCheck, pass } from '../../conformance/rules/define';
import { keywordOf } from '../../conformance/rules/keyword';
import { q } from '../../conformance/rules/quotes';
import { reasoningNeeded, severityBasis, severityReasons, unreasoned } from '../../conformance/rules/severity';

describe('keywordOf: the normative keyword of a quoted sentence', () => {
  test.each([
    ['RFC7591-2', 'The "jwks_uri" and "jwks" parameters MUST NOT both be present in the same request or response.', 'MUST'],
    ['RFC6749-5.1', 'access_token REQUIRED. The access token issued by the authorization server.', 'MUST'],
    ['FAPI1-ADV-8.6', 'For JWS, both clients and authorization servers: ... shall not use none;', 'MUST'],
    ['RFC7591-2', 'The "software_id" SHOULD remain the same across multiple updates or versions of the same piece of software.', 'SHOULD'],
    ['OIDC-DISCOVERY', "registration_endpoint RECOMMENDED. URL of the OP's Dynamic Client Registration Endpoint.", 'SHOULD'],
    ['RFC8705-3', 'tls_client_certificate_bound_access_tokens OPTIONAL. Boolean value indicating server support.', 'MAY'],
    ['OBDCR-REQ', 'ASPSPs MAY reject the request if any of the requested response_types are not supported by it', 'MAY'],
  ] as const)('%s: %s -> %s', (ref, text, keyword) => {
    expect(keywordOf(q(ref, text))).toBe(keyword);
  });

  test('OBIE and FAPI write their verbs in lower case: they count', () => {
    expect(keywordOf(q('OBDCR-SSA', 'An ASPSP must specify on its Developer Portal the parties that it trusts and accepts SSAs from.'))).toBe('MUST');
    expect(keywordOf(q('OBDCR-GEN', "The URL of the registration end-point should be advertised on the ASPSP's OIDC Discovery Endpoint"))).toBe('SHOULD');
    expect(keywordOf(q('OBDCR-GEN', 'The ASPSP may have a different URL for the endpoints'))).toBe('MAY');
    expect(keywordOf(q('FAPI1-ADV-5.2.2', 'In addition, the authorization server ... shall only issue sender-constrained access tokens;'))).toBe('MUST');
  });

  test('in an RFC, lower-case words have their normal English meanings (RFC 8174)', () => {
    expect(keywordOf(q('RFC7519-4.1', 'The "jti" claim can be used to prevent the JWT from being replayed; a client may send one it must not reuse.'))).toBeUndefined();
  });

  test('a sentence that describes has no keyword', () => {
    expect(keywordOf(q('OBDCR-GET', 'If the ClientId is unknown, the ASPSP responds with an Unauthorized status code and immediately revokes the access token.'))).toBeUndefined();
  });

  test('a sentence with MUST and SHOULD is a MUST; with SHOULD and MAY a SHOULD', () => {
    expect(keywordOf(q('RFC7592-2.1', 'the server MUST respond with HTTP 401 Unauthorized and the registration access token used to make this request SHOULD be immediately revoked.'))).toBe('MUST');
    expect(keywordOf(q('OBDCR-REQ', 'aud 1..1 ... This should be the unique identifier for the ASPSP ... An ASPSP may validate the value'))).toBe('SHOULD');
  });

  test('a word that only contains a keyword is none (mayor, shallow, musty)', () => {
    expect(keywordOf(q('OBDCR-GEN', 'The mayor of a shallow, musty town.'))).toBeUndefined();
  });
});

/** A check of the shape the catalogue holds, with one quote of its own. */
const fake = (id: string, severity: 'MUST' | 'SHOULD', text: string, tags: string[] = ['negative']) =>
  defineCheck({ id, title: 'a fake check for the severity test', spec: ['RFC7591-2'], severity, tags, rules: [], exchanges: ['x'], quotes: [q('RFC7591-2', text)], check: () => pass() });

describe('the severity of every check is the keyword of the sentence it rests on', () => {
  test('every check whose severity is not its first sentence\'s keyword, whose sentence has none, or that is a tolerance, has written reasoning (conformance/rules/severity.ts)', () => {
    expect(unreasoned(checks)).toEqual([]);
  });

  test('no reasoning is kept for a check that does not exist', () => {
    const ids = new Set(checks.map((c) => c.id));
    expect(Object.keys(severityReasons).filter((id) => !ids.has(id))).toEqual([]);
  });

  test('each reasoning ends with the severity it argues for, and it is the check\'s', () => {
    const off = checks.filter((c) => Object.hasOwn(severityReasons, c.id) && !severityReasons[c.id]!.endsWith(` ${c.severity}.`)).map((c) => `${c.id} (${c.severity})`);
    expect(off).toEqual([]);
  });

  test('a check with a MUST sentence and MUST severity needs no entry; one whose severity disagrees with its sentence does', () => {
    const agrees = fake('FAKE-AGREES', 'MUST', 'The "jwks_uri" and "jwks" parameters MUST NOT both be present in the same request or response.');
    const disagrees = fake('FAKE-DISAGREES', 'SHOULD', 'The "jwks_uri" and "jwks" parameters MUST NOT both be present in the same request or response.');
    const weaker = fake('FAKE-WEAKER', 'MUST', 'The "software_id" SHOULD remain the same across multiple updates or versions of the same piece of software.');
    const bare = fake('FAKE-BARE', 'MUST', 'The "iat" (issued at) claim identifies the time at which the JWT was issued.');
    const tolerance = fake('FAKE-TOLERANCE', 'MUST', 'The authorization server MUST ignore any client metadata sent by the client that it does not understand', ['tolerance']);
    expect(reasoningNeeded(agrees)).toBeUndefined();
    expect(unreasoned([agrees, disagrees, weaker, bare, tolerance])).toEqual([
      'FAKE-DISAGREES: its sentence says MUST, the check is SHOULD',
      'FAKE-WEAKER: its sentence says SHOULD, the check is MUST',
      'FAKE-BARE: its sentence has no keyword',
      'FAKE-TOLERANCE: a tolerance: the bank must accept',
    ]);
    expect(unreasoned([disagrees], { 'FAKE-DISAGREES': 'reviewed. SHOULD.' })).toEqual([]);
  });

  test('the basis of a check: its first sentence, that sentence\'s keyword, and the reasoning', () => {
    const basis = severityBasis(checks.find((c) => c.id === 'REQ-TLS-DN-SUBSET')!);
    expect(basis).toMatchObject({ severity: 'SHOULD', keyword: 'MUST', quote: { ref: 'OBDCR-REQ' } });
    expect(basis.reason).toMatch(/may decide to match only a part of the DN/);
    expect(severityBasis(checks.find((c) => c.id === 'REQ-JWKS-AND-JWKS-URI')!)).toEqual({ severity: 'MUST', keyword: 'MUST', quote: expect.objectContaining({ ref: 'RFC7591-2' }) });
  });
});
