/**
 * The CDR core (mock-server/core/cdr.ts), pure: each validation step fires on a request with that
 * one fault and not on the valid request; with two faults the earlier step answers.
 */
import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { signingKey, type SigningKey } from '../../../fixtures/keys';
import { signJws } from '../../../fixtures/registration';
import { cdrRegistrationClaims, cdrSoftware, cdrSsaClaims, type CdrSoftware } from '../../../fixtures/cdr';
import { cdr } from '../../../mock-server/profiles/cdr';
import { CdrError, cdrClientRecord, cdrClientResponse, verifyCdrRegistration, type CdrContext } from '../../../mock-server/core/cdr';

const ISSUER = 'https://dh.example.com';
const JWKS_URI = 'https://register.example.com/software/p1/jwks';
const REDIRECT = 'https://adr.example.com/cb';
let register: SigningKey;
let software: SigningKey;
let other: SigningKey;
const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  [register, software, other] = await Promise.all([signingKey('PS256'), signingKey('PS256'), signingKey('PS256')]);
  product = { ...(await cdrSoftware(22)), softwareId: 'p1', brandId: 'b1', redirectUris: [REDIRECT] };
});

/** A software product of seeded faker names, its ids fixed for the assertions. */
let product: CdrSoftware;
const ssaClaims = (o: Record<string, unknown> = {}) => ({ ...cdrSsaClaims(product, JWKS_URI, { now }), scope: 'openid cdr:registration', ...o });
const requestClaims = (ssa: string, o: Record<string, unknown> = {}) => ({ ...cdrRegistrationClaims({ softwareId: 'p1', aud: ISSUER, softwareStatement: ssa, redirectUris: [REDIRECT] }, now), ...o });
const drop = (c: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(c).filter(([k]) => !keys.includes(k)));

function ctx(o: Partial<CdrContext> = {}): CdrContext {
  return {
    profile: cdr, issuer: ISSUER, now, clockSkewSeconds: 60,
    registerJwks: () => ({ keys: [register.publicJwk] }) as JSONWebKeySet,
    fetchJwks: async (url) => {
      if (url !== JWKS_URI) throw new Error('not hosted');
      return { keys: [software.publicJwk] } as JSONWebKeySet;
    },
    sectorReachable: async (url) => url === 'https://adr.example.com/sector.json',
    registered: async () => false,
    ...o,
  };
}

async function request(ssa: Record<string, unknown> = {}, req: (s: string) => Record<string, unknown> = (s) => requestClaims(s), keys: { ssa?: SigningKey; req?: SigningKey } = {}) {
  const statement = await signJws(ssaClaims(ssa), keys.ssa ?? register);
  return signJws(req(statement), keys.req ?? software);
}

/** The ERR code a verification throws, or 'ok'. */
async function codeOf(body: string | Promise<string>, c: CdrContext = ctx()): Promise<string> {
  try {
    await verifyCdrRegistration(await body, c);
    return 'ok';
  } catch (e) {
    if (!(e instanceof CdrError)) throw e;
    expect(e.description.startsWith(`${e.cdrCode}: `)).toBe(true);
    return `${e.code} ${e.cdrCode}`;
  }
}

test('the valid request passes every step', async () => {
  await expect(codeOf(request())).resolves.toBe('ok');
});

const STEPS = [
  ['an empty body', () => '', 'invalid_client_metadata ERR-DCR-002'],
  ['no software_statement', () => request({}, (s) => drop(requestClaims(s), 'software_statement')), 'invalid_software_statement ERR-DCR-006'],
  ['an SSA signed by another key', () => request({}, undefined, { ssa: other }), 'invalid_software_statement ERR-DCR-005'],
  ['an SSA whose iss is not cdr-register', () => request({ iss: 'someone' }), 'invalid_software_statement ERR-DCR-005'],
  ['an expired SSA', () => request({ iat: now - 900, exp: now - 300 }), 'invalid_software_statement ERR-DCR-005'],
  ['an SSA jwks_uri that is not https', () => request({ jwks_uri: 'http://register.example.com/jwks' }), 'invalid_software_statement ERR-GEN-020'],
  ['an SSA jwks_uri that does not load', () => request({ jwks_uri: 'https://elsewhere.example.com/jwks' }), 'invalid_software_statement ERR-GEN-021'],
  ['a request signed by another key', () => request({}, undefined, { req: other }), 'invalid_client_metadata ERR-DCR-004'],
  ['aud not the issuer', () => request({}, (s) => requestClaims(s, { aud: `${ISSUER}/connect/register` })), 'invalid_client_metadata ERR-DCR-004'],
  ['iss not the software_id', () => request({}, (s) => requestClaims(s, { iss: 'p2' })), 'invalid_client_metadata ERR-DCR-004'],
  ['an expired request', () => request({}, (s) => requestClaims(s, { iat: now - 600, exp: now - 120 })), 'invalid_client_metadata ERR-DCR-004'],
  ['no jti', () => request({}, (s) => drop(requestClaims(s), 'jti')), 'invalid_client_metadata ERR-DCR-004'],
  ['application_type native', () => request({}, (s) => requestClaims(s, { application_type: 'native' })), 'invalid_client_metadata ERR-DCR-004'],
  ['code without authorization_signed_response_alg (JARM)', () => request({}, (s) => drop(requestClaims(s), 'authorization_signed_response_alg')), 'invalid_client_metadata ERR-DCR-004'],
  ['an unreachable sector_identifier_uri', () => request({ sector_identifier_uri: 'https://adr.example.com/gone.json' }), 'invalid_client_metadata ERR-DCR-007'],
  ['a redirect_uri outside the SSA', () => request({}, (s) => requestClaims(s, { redirect_uris: ['https://evil.example.com/cb'] })), 'invalid_redirect_uri ERR-DCR-003'],
] as const;

test.each(STEPS.map(([what, body, expected]) => ({ what, body, expected })))('$what: $expected', async ({ body, expected }) => {
  await expect(codeOf(body())).resolves.toBe(expected);
});

test('a reachable sector_identifier_uri passes', async () => {
  await expect(codeOf(request({ sector_identifier_uri: 'https://adr.example.com/sector.json' }))).resolves.toBe('ok');
});

test('a second client for the software_id is ERR-DCR-001; a PUT of the client itself is not a duplicate, of another software_id is refused', async () => {
  await expect(codeOf(request(), ctx({ registered: async (id) => id === 'p1' }))).resolves.toBe('invalid_client_metadata ERR-DCR-001');
  const reg = await verifyCdrRegistration(await request(), ctx());
  const self = cdrClientRecord(reg, 'cdr', now, 'c1');
  await expect(codeOf(request(), ctx({ registered: async () => true, self }))).resolves.toBe('ok');
  await expect(codeOf(request(), ctx({ self: { ...self, metadata: { ...self.metadata, software_id: 'p9' } } }))).resolves.toBe('invalid_client_metadata ERR-DCR-004');
});

test('the first failing step wins: a bad SSA signature with a foreign redirect is ERR-DCR-005; a wrong aud with one is ERR-DCR-004', async () => {
  await expect(codeOf(request({}, (s) => requestClaims(s, { redirect_uris: ['https://evil.example.com/cb'] }), { ssa: other }))).resolves.toBe('invalid_software_statement ERR-DCR-005');
  await expect(codeOf(request({}, (s) => requestClaims(s, { aud: 'x', redirect_uris: ['https://evil.example.com/cb'] })))).resolves.toBe('invalid_client_metadata ERR-DCR-004');
});

test('the claim checks are collected into one error naming each claim', async () => {
  try {
    await verifyCdrRegistration(await request({}, (s) => drop(requestClaims(s, { application_type: 'native' }), 'jti')), ctx());
    throw new Error('accepted');
  } catch (e) {
    expect((e as CdrError).cdrCode).toBe('ERR-DCR-004');
    expect((e as CdrError).description).toMatch(/'jti'.*'application_type'/);
  }
});

test('the Register JWKS that cannot be loaded is ERR-GEN-022, before the SSA signature', async () => {
  await expect(codeOf(request(), ctx({ registerJwks: () => Promise.reject(new Error('down')) }))).resolves.toBe('invalid_software_statement ERR-GEN-022');
});

test('the client response carries the CDS RegistrationProperties: the SSA product fields, the scope the Register accredited', async () => {
  const reg = await verifyCdrRegistration(await request(), ctx());
  const answer = cdrClientResponse(cdrClientRecord(reg, 'cdr', now, 'c1'));
  expect(answer).toMatchObject({ client_id: 'c1', software_id: 'p1', client_name: product.clientName, legal_entity_id: 'le-b1', jwks_uri: JWKS_URI, redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt', scope: 'openid cdr:registration', authorization_signed_response_alg: 'PS256' });
});
