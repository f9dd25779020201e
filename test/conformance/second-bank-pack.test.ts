import { SECOND_BANK_BUGS, SECOND_BANK_BUG_CLASS, startSecondBank, type SecondBankBug } from './servers/second-bank';
import {
  bankOptions, bankTarget, bankWorld, expectCaught, expectNoFalseFailure, expectTables, expectUnseen,
  type BankWorld, type CaughtRow, type UncaughtRow,
} from './bank-harness';

/**
 * The pack against a second bank it was not built beside: servers/second-bank.ts, an OBIE DCR v3.3 bank
 * written from the specs alone, with 68 switches each one realistic wrong implementation. The correct
 * bank gets no false failure from the whole pack; each switch is either caught by exactly the checks
 * that target it (nothing else of the run fails or warns), or listed UNCAUGHT with the check that is missing.
 */

interface Caught extends CaughtRow<SecondBankBug> {
  /**
   * The software JWK published without its alg member. The bank honours a JWK's alg (RFC 7517 4.4), so with alg
   * PS256 published it refuses an RS256 signature by that key whatever its algorithm list says: only without the
   * member does the list decide. Directory keystores publish keys so (kty, kid, use).
   */
  jwkWithoutAlg?: true;
}

export const CAUGHT: Caught[] = [
  // --- jose-header: the request JWS header and signature -------------------------------------------------------
  { bug: 'alg-none-accepted', expect: ['JWS-ALG-NONE', 'PUT-ALG-NONE'], filter: 'jws' },
  { bug: 'rs256-accepted', expect: ['DCR-004-RS256'], filter: 'jws', jwkWithoutAlg: true },
  { bug: 'alg-case-insensitive', expect: ['JWS-ALG-CASE'], filter: 'jws' },
  // JWS-REAL-KEY-UNKNOWN-KID is a SHOULD: it warns.
  { bug: 'kid-ignored', expect: ['JWS-REAL-KEY-UNKNOWN-KID'], filter: 'jws' },
  { bug: 'crit-ignored', expect: ['JWS-CRIT-UNKNOWN'], filter: 'jws' },
  // The pack's own host serves the key set / certificate the request is signed with: following the header accepts it.
  { bug: 'jku-followed', expect: ['JWS-JKU-HOSTED'], filter: 'jws' },
  { bug: 'x5u-followed', expect: ['JWS-X5U-HOSTED'], filter: 'jws' },
  { bug: 'embedded-jwk-trusted', expect: ['JWS-EMBEDDED-JWK'], filter: 'jws' },
  { bug: 'hs256-spki-pem-newline', expect: ['JWS-HS256-PUBLIC-KEY'], filter: 'jws' },
  { bug: 'hs256-spki-pem-no-newline', expect: ['JWS-HS256-PUBLIC-KEY-PEM-NO-NEWLINE'], filter: 'jws' },
  { bug: 'hs256-pkcs1-pem', expect: ['JWS-HS256-PUBLIC-KEY-PKCS1-PEM'], filter: 'jws' },
  { bug: 'hs256-spki-der', expect: ['JWS-HS256-PUBLIC-KEY-SPKI-DER'], filter: 'jws' },
  { bug: 'hs256-pkcs1-der', expect: ['JWS-HS256-PUBLIC-KEY-PKCS1-DER'], filter: 'jws' },
  // The bank stringifies the JWK as published; the pack's JWK (alg included) is the one published here.
  { bug: 'hs256-jwk-json', expect: ['JWS-HS256-PUBLIC-KEY-JWK-JSON'], filter: 'jws' },
  // Nothing verified: every signature probe of POST and PUT, and the SSA's software_jwks_endpoint is never fetched.
  {
    bug: 'signature-unchecked',
    expect: [
      'DCR-004-RS256', 'JWS-ALG-NONE', 'JWS-ALG-HS256', 'JWS-ALG-CASE', 'JWS-FOREIGN-KEY', 'JWS-UNKNOWN-KID', 'JWS-REAL-KEY-UNKNOWN-KID', 'JWS-SIGNATURE-STRIPPED', 'JWS-SIGNATURE-ALTERED', 'JWS-SELF-JWKS',
      'JWS-HS256-PUBLIC-KEY', 'JWS-HS256-PUBLIC-KEY-PEM-NO-NEWLINE', 'JWS-HS256-PUBLIC-KEY-SPKI-DER', 'JWS-HS256-PUBLIC-KEY-PKCS1-PEM', 'JWS-HS256-PUBLIC-KEY-PKCS1-DER', 'JWS-HS256-PUBLIC-KEY-JWK-JSON',
      // A bank that never verifies the request needs no software JWKS: an SSA naming any host (even http) registers.
      'SSA-JWKS-UNTRUSTED-HOST', 'SSA-JWKS-HTTP', 'SSA-JWKS-OTHER-HOST', 'PUT-FOREIGN-KEY', 'PUT-ALG-NONE',
    ],
  },
  // --- claims: the request claims --------------------------------------------------------------------------------
  { bug: 'iss-unchecked', expect: ['DCR-004-ISS-INVALID', 'DCR-004-ISS-EMPTY', 'DCR-004-ISS-LONG', 'REQ-ISS-MISSING', 'REQ-ISS-CASE', 'REQ-ISS-NUMBER'], filter: 'claims' },
  { bug: 'aud-substring', expect: ['REQ-AUD-EXTENDED', 'REQ-AUD-CONTAINS-ISSUER'], filter: 'claims' },
  { bug: 'exp-unchecked', expect: ['DCR-004-EXP', 'PUT-EXPIRED'], filter: 'claims' },
  { bug: 'exp-optional', expect: ['REQ-EXP-MISSING'], filter: 'claims' },
  { bug: 'iat-optional', expect: ['REQ-IAT-MISSING'], filter: 'claims' },
  { bug: 'iat-future-accepted', expect: ['REQ-IAT-FUTURE'], filter: 'claims' },
  { bug: 'jti-optional', expect: ['REQ-JTI-MISSING'], filter: 'claims' },
  { bug: 'jti-replay', expect: ['REQ-JTI-REPLAY'], filter: 'REQ-06' },
  { bug: 'numeric-string-claims', expect: ['REQ-EXP-STRING', 'REQ-IAT-STRING'], filter: 'claims' },
  { bug: 'software-id-mismatch-accepted', expect: ['REQ-SOFTWARE-ID-MISMATCH'], filter: 'claims' },
  // --- metadata: the client metadata ----------------------------------------------------------------------------
  { bug: 'redirect-fragment-allowed', expect: ['REDIRECT-FRAGMENT'], filter: 'redirect' },
  // Not compared with the SSA at all: every near miss, on POST and PUT, and the refused PUT probes read back changed.
  {
    bug: 'redirect-not-in-ssa-accepted',
    expect: ['REDIRECT-NOT-IN-SSA', 'REDIRECT-EXTENDED', 'REDIRECT-CASE', 'REDIRECT-TRAILING-SLASH', 'REDIRECT-QUERY', 'REDIRECT-HOST-SUFFIX', 'REDIRECT-HOST-PREFIX', 'REDIRECT-OTHER-PATH', 'REDIRECT-PORT', 'REDIRECT-USERINFO', 'PUT-REDIRECT-NOT-IN-SSA', 'READBACK-REFUSED-PUTS'],
  },
  // Added with this bank: REDIRECT-HTTP sends an http URI the SSA does not list, refused for the subset rule all the same.
  { bug: 'redirect-http-allowed', expect: ['REDIRECT-HTTP-IN-SSA'], filter: 'redirect' },
  { bug: 'grant-types-unchecked', expect: ['REQ-GRANT-TYPE-UNSUPPORTED'], filter: 'claims' },
  { bug: 'response-types-unchecked', expect: ['DCR-011-RESPONSE-TYPES'], filter: 'claims' },
  { bug: 'unknown-auth-method-accepted', expect: ['REQ-AUTH-METHOD-UNKNOWN'], filter: 'claims' },
  { bug: 'signing-alg-optional', expect: ['REQ-AUTH-SIGNING-ALG-MISSING'], filter: 'claims' },
  // REQ-SCOPE-BEYOND-ROLES (SSA plan) is a SHOULD: it warns.
  { bug: 'scope-beyond-roles', expect: ['REQ-SCOPE-UNSUPPORTED', 'REQ-SCOPE-BEYOND-ROLES'] },
  { bug: 'unknown-metadata-refused', expect: ['REQ-UNKNOWN-METADATA-IGNORED'], filter: 'claims' },
  { bug: 'jwks-and-jwks-uri-accepted', expect: ['REQ-JWKS-AND-JWKS-URI'], filter: 'claims' },
  // --- credentials: the token endpoint ----------------------------------------------------------------------------
  { bug: 'basic-secret-unchecked', expect: ['TOKEN-SECRET-WRONG', 'TOKEN-SECRET-PREFIX', 'TOKEN-SECRET-EMPTY'], filter: 'client_secret_basic' },
  { bug: 'post-secret-unchecked', expect: ['TOKEN-SECRET-POST-WRONG', 'TOKEN-SECRET-POST-PREFIX', 'TOKEN-SECRET-POST-EMPTY'], filter: 'client_secret_post' },
  { bug: 'assertion-sub-unchecked', expect: ['TOKEN-ASSERTION-SUB-OTHER', 'TOKEN-ASSERTION-NO-SUB'], filter: 'private_key_jwt' },
  { bug: 'assertion-aud-unchecked', expect: ['TOKEN-ASSERTION-AUD-OTHER', 'TOKEN-ASSERTION-NO-AUD'], filter: 'private_key_jwt' },
  { bug: 'assertion-exp-optional', expect: ['TOKEN-ASSERTION-NO-EXP'], filter: 'private_key_jwt' },
  { bug: 'assertion-replay', expect: ['TOKEN-ASSERTION-REPLAY'], filter: 'private_key_jwt' },
  { bug: 'assertion-type-unchecked', expect: ['TOKEN-ASSERTION-TYPE-OTHER', 'TOKEN-ASSERTION-TYPE-MISSING'], filter: 'private_key_jwt' },
  { bug: 'secret-prefix-compare', expect: ['TOKEN-SECRET-PREFIX', 'TOKEN-SECRET-POST-PREFIX'], filter: 'TOKEN-SECRET' },
  // --- grants-scope: the grant and scope rows, on the client of the first declared method ---------------------------
  { bug: 'token-scope-beyond-client', expect: ['TOKEN-SCOPE-BEYOND-CLIENT'], filter: 'grants-scope' },
  { bug: 'grant-type-unchecked', expect: ['TOKEN-GRANT-TYPE-OTHER', 'TOKEN-GRANT-TYPE-MISSING'], filter: 'grants-scope' },
  { bug: 'empty-scope-refused', expect: ['TOKEN-SCOPE-EMPTY'], filter: 'grants-scope' },
  // --- identifiers: ClientId at /register/{ClientId} (the whole management plan each) -----------------------------
  // This bank finds another client of the software (not the caller's): 403 where an unknown ClientId gets 401.
  { bug: 'mgmt-find-by-software-id', expect: ['MGT-GET-BY-SOFTWARE-ID', 'MGT-PUT-BY-SOFTWARE-ID', 'MGT-DELETE-BY-SOFTWARE-ID'] },
  // MGT-GET-CLIENT-ID-RECASED is a SHOULD: it warns.
  { bug: 'client-id-case-insensitive', expect: ['MGT-GET-CLIENT-ID-RECASED'] },
  { bug: 'cross-client-put-delete', expect: ['MGT-CROSS-CLIENT-PUT-403', 'MGT-CROSS-CLIENT-DELETE-403'] },
  // Without the 401 the revocation cannot be judged: MGT-TOKEN-REVOKED-AFTER-401 is blocked.
  { bug: 'unknown-client-404', expect: ['MGT-UNKNOWN-CLIENT-401'], blocked: ['MGT-TOKEN-REVOKED-AFTER-401'] },
  { bug: 'unknown-client-token-kept', expect: ['MGT-TOKEN-REVOKED-AFTER-401'] },
  // --- tls-identity: certificates ----------------------------------------------------------------------------------
  { bug: 'token-no-cert-dn-skipped', expect: ['TOKEN-TLS-UNTRUSTED-CERT', 'TOKEN-TLS-NO-CERT'], filter: 'tls_client_auth' },
  { bug: 'token-dn-mismatch-accepted', expect: ['TOKEN-TLS-OTHER-DN'], filter: 'tls_client_auth' },
  { bug: 'registration-untrusted-ca', expect: ['TLS-UNTRUSTED-CA'], filter: 'transport' },
  // The DN is never compared: every DN probe, and a registration over another trusted certificate (the DN SHOULD rows warn).
  { bug: 'registration-dn-mismatch', expect: ['REQ-TLS-DN-MISMATCH', 'REQ-TLS-DN-SUBSET', 'REQ-TLS-DN-ALTERED', 'TLS-OTHER-TRUSTED-CERT'], filter: 'REQ-11' },
  { bug: 'bound-token-any-cert', expect: ['MGT-TOKEN-OTHER-CERT'] },
  // --- trust-chain: the SSA (the whole ssa plan; PUT-SSA-WRONG-KEY, a SHOULD of the management plan, warns) --------
  { bug: 'ssa-iss-unchecked', expect: ['SSA-OTHER-ISS-REAL-KEY', 'SSA-ISS-MISSING', 'SSA-ISS-CASE'] },
  {
    bug: 'ssa-signature-unchecked',
    expect: [
      'SSA-WRONG-KEY', 'SSA-ALG-NONE', 'SSA-ALG-HS256', 'SSA-ALG-CASE', 'SSA-KID-ABSENT', 'SSA-UNKNOWN-KID', 'SSA-REAL-KEY-UNKNOWN-KID', 'SSA-SIGNATURE-STRIPPED', 'SSA-SIGNATURE-ALTERED',
      'SSA-EMBEDDED-JWK', 'SSA-EMBEDDED-X5C', 'SSA-JKU', 'SSA-HS256-PUBLIC-KEY', 'SSA-HS256-PUBLIC-KEY-PEM-NO-NEWLINE', 'SSA-HS256-PUBLIC-KEY-SPKI-DER', 'SSA-HS256-PUBLIC-KEY-PKCS1-PEM',
      'SSA-HS256-PUBLIC-KEY-PKCS1-DER', 'SSA-HS256-PUBLIC-KEY-JWK-JSON', 'PUT-SSA-WRONG-KEY',
    ],
  },
  { bug: 'ssa-exp-unchecked', expect: ['SSA-EXPIRED', 'SSA-EXP-STRING'] },
  // The pack's own host, serving the right software JWKS: the bank must not even connect (conformance/jwks-host.ts).
  { bug: 'jwks-host-unpinned', expect: ['SSA-JWKS-OTHER-HOST'] },
  // --- read-back: what is stored versus what is answered (the whole management plan each) --------------------------
  { bug: 'put-stores-nothing', expect: ['READBACK-PUT'] },
  // Added with this bank: PUT-SOFTWARE-ID-CHANGE names another software_id beside the original SSA, refused for REQ-14 all the same.
  { bug: 'put-software-id-changes', expect: ['READBACK-PUT-SSA-OTHER-SOFTWARE'] },
  { bug: 'put-answers-old', expect: ['READBACK-PUT'] },
  { bug: 'delete-keeps-client', expect: ['DCR-003-GET-DELETED', 'DEL-REVOKES-TOKEN', 'DEL-TOKEN-ENDPOINT-REFUSED', 'DCR-009-PUT-DELETED'] },
  // Added with this bank: every other registration names the first SSA URI only, which is what this bank stores.
  { bug: 'post-stores-first-redirect', expect: ['READBACK-REGISTER-REDIRECTS'] },
  // --- advertised: each auth method and signing alg discovery lists registers and gets a token (conformance/sweep/capabilities.ts) ---
  { bug: 'advertised-secret-post-refused', expect: ['ADVERTISED-AUTH-METHOD-CLIENT-SECRET-POST-REGISTERS'], filter: 'ADVERTISED' },
  { bug: 'advertised-es256-assertion-refused', expect: ['ADVERTISED-SIGNING-ALG-ES256'], filter: 'ADVERTISED' },
  // --- advertised: the valid registration asks for the grant types discovery lists, refresh_token among them ------
  {
    bug: 'advertised-refresh-token-refused',
    expect: ['DCR-002-REGISTER-201', 'REQ-PRIVATE-KEY-JWT'],
    filter: 'positive',
    blocked: ['RES-JSON', 'RES-SCHEMA-POST', 'RES-ECHO-METADATA', 'RES-SOFTWARE-ID', 'RES-TLS-DN', 'RES-NO-SECRET-FOR-MTLS', 'REQ-CONTENT-TYPE-JWT', 'RES-SECRET-EXPIRES-AT', 'RES-SCHEMA-SECRET-CLIENT'],
  },
];

/** Switches no check catches: each says which check is missing. */
export const UNCAUGHT: UncaughtRow<SecondBankBug>[] = [
];

/** The only checks the correct bank does not pass, each a declared skip, and why: none. */
const DECLARED_SKIPS: Record<string, string> = {};

let world: BankWorld;
const closers: Array<() => Promise<void>> = [];

async function bank(bugs: SecondBankBug[] = [], jwkWithoutAlg = false) {
  const b = await startSecondBank(bankOptions(world, bugs, { publishAlg: !jwkWithoutAlg }));
  closers.push(b.close);
  return bankTarget(world, b.url, ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post']);
}

beforeAll(async () => {
  world = await bankWorld('Second Test Directory', 'keystore.second-directory.test');
}, 60_000);
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

test('the tables: every switch of SECOND_BANK_BUGS is in exactly one of them, and every check id exists', () => {
  expectTables(CAUGHT, UNCAUGHT, SECOND_BANK_BUGS);
});

test('every switch, of every mutation class, is caught: none is left in UNCAUGHT', () => {
  expect(UNCAUGHT.map((r) => r.bug)).toEqual([]);
  expect([...new Set(CAUGHT.map((r) => SECOND_BANK_BUG_CLASS[r.bug]))].sort()).toEqual([...new Set(Object.values(SECOND_BANK_BUG_CLASS))].sort());
});

describe('the correct second bank: the whole pack, every check passes but the declared skips', () => {
  test.each([
    ['the software JWK published with its alg', false],
    ['the software JWK published without alg', true],
  ] as const)('%s', async (_how, withoutAlg) => {
    await expectNoFalseFailure(await bank([], withoutAlg), DECLARED_SKIPS);
  }, 60_000);
});

describe('each switch of CAUGHT is caught by its checks, and by nothing else in the run', () => {
  test.each(CAUGHT)('$bug: $expect', async (row) => {
    await expectCaught(await bank([row.bug], row.jwkWithoutAlg), row, DECLARED_SKIPS);
  }, 30_000);
});

// Empty today: the tables test above holds CAUGHT and UNCAUGHT to SECOND_BANK_BUGS.
if (UNCAUGHT.length) describe('UNCAUGHT: switches no check catches yet (when one does, move the row to CAUGHT)', () => {
  test.each(UNCAUGHT)('$bug passes the $plan checks unseen', async (row) => {
    await expectUnseen(await bank([row.bug]), row);
  }, 30_000);
});
