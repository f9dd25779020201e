import type { MockBank } from '../mock-server/runtime';
import type { Profile } from '../mock-server/profiles/types';
import { mockTarget } from './mock-target';
import type { AuthMethod, Capabilities, ManagementOperation, Target } from '../conformance/target';
import { CREDENTIAL_HEADERS } from '../mock-server/profiles/types';
import { OBF_DIRECTORY_PATH } from '../mock-server/directory/obf-directory';

/** The auth methods and content types the pack can use (a profile may list others, e.g. client_secret_jwt). */
const PACK_AUTH_METHODS: readonly AuthMethod[] = ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'];
const PACK_CONTENT_TYPES: readonly Capabilities['contentType'][] = ['application/jose', 'application/jwt', 'application/json'];

/**
 * Values the pack sends for a bank's documented required headers. `authorization` is not here:
 * it carries the registration bearer token (registrationAuth) or the management token.
 */
const REQUIRED_HEADER_VALUES: Readonly<Record<string, (bank: MockBank) => string | undefined>> = {
  accept: () => 'application/json',
  client_id: (bank) => bank.portal?.client_id,
};

/**
 * The capabilities a bank's documentation implies, read from its profile: the content type it
 * documents (the first the pack can send), its auth methods in the profile's order of preference,
 * the management operations it documents (none: management declared off).
 */
export function profileCapabilities(profile: Profile): Capabilities {
  const m = profile.management;
  const operations = (['GET', 'PUT', 'DELETE'] as const).filter((op) => m[op.toLowerCase() as 'get' | 'put' | 'delete']) as ManagementOperation[];
  const contentType = PACK_CONTENT_TYPES.find((t) => profile.registration.contentTypes.includes(t));
  if (!contentType) throw new Error(`profile ${profile.name} accepts no content type the pack can send (${profile.registration.contentTypes.join(', ')})`);
  return {
    management: operations.length > 0,
    operations,
    authMethods: profile.registration.authMethods.filter((a): a is AuthMethod => (PACK_AUTH_METHODS as readonly string[]).includes(a)),
    contentType,
    ...(profile.registration.scopeFormat !== 'either' ? { scopeFormat: profile.registration.scopeFormat } : {}),
    // The pack registers `code id_token`; a bank documenting less gets its own default.
    ...(profile.registration.responseTypes.includes('code id_token') ? {} : { responseTypes: [...profile.registration.defaultResponseTypes] }),
    ...(profile.response.credentialHeaders ? { credentialHeaders: { ...CREDENTIAL_HEADERS } } : {}),
  };
}

/**
 * The target for a mock bank started with a profile, as a TPP reading that bank's documentation
 * would configure the pack: its spec version, its own discovery path, its capabilities, its
 * required headers and, when POST {register} needs a developer-portal token, those credentials.
 */
export function profileTarget(bank: MockBank): Target {
  const profile = bank.profile;
  const discoveryPath = profile.paths.discovery?.[0] ?? '/.well-known/openid-configuration';
  const base = { ...mockTarget(bank, profileCapabilities(profile)), discoveryUrl: `${bank.url}${profile.basePath}${discoveryPath}`, specVersion: profile.specVersion };
  if ((profile.registration.dialect ?? 'obie') === 'rfc7591') return rfc7591Target(bank, base);
  if (profile.registration.dialect === 'cdr') return cdrTarget(bank, base);
  if (profile.registration.dialect === 'obf') return obfTarget(bank, base);
  const headers: Record<string, string> = {};
  for (const name of profile.registration.requiredHeaders) {
    const value = REQUIRED_HEADER_VALUES[name]?.(bank);
    if (value !== undefined) headers[name] = value;
  }
  return {
    ...base,
    // A directory of the bank's spec version issues software ids no longer than its iss limit (v3.1: 18).
    softwareId: bank.tpp.software_id.slice(0, profile.registration.issMaxLength),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(profile.registration.requireAccessToken && bank.portal ? { registrationAuth: { clientId: bank.portal.client_id, clientSecret: bank.portal.client_secret } } : {}),
  };
}

/**
 * A plain RFC 7591 / 7592 profile, configured as a generic OAuth client would be: the rfc7591
 * dialect, no SSA (software_statement is optional, RFC 7591 3.1.1) and no client certificate (the
 * profile needs none: mtls false), the bank's RFC 8414 discovery path, and its initial access token
 * when the mock was started with one (INITIAL_ACCESS_TOKEN), so the pack judges that the endpoint
 * refuses a registration without it or with a wrong one.
 */
function rfc7591Target(bank: MockBank, base: Target): Target {
  const profile = bank.profile;
  const { transport: _transport, altTransport: _alt, ...rest } = base;
  return {
    ...rest,
    dialect: 'rfc7591',
    directory: { mode: 'none' },
    ...(profile.registration.initialAccessToken !== undefined ? { initialAccessToken: profile.registration.initialAccessToken } : {}),
  };
}

/**
 * An Australia CDR data holder, configured as a data recipient would: the cdr dialect, SSAs from the
 * mock CDR Register at the bank's origin (its product load, then GET .../ssa), the Register key
 * (the directory's) for the SSA rows that change a claim, and the TPP certificate as the software
 * product's transport certificate.
 */
function cdrTarget(bank: MockBank, base: Target): Target {
  return {
    ...base,
    dialect: 'cdr',
    directory: { mode: 'mock-endpoint', url: `${bank.url}/cdr-register/v1`, key: bank.certs.directoryKey },
  };
}

/**
 * An Open Finance Brasil profile, configured as a TPP of that ecosystem would be: the obf dialect,
 * its OBF transport certificate (UID = software_id, organizationIdentifier = OFBBR-<org_id>) and a
 * second one of the same organisation with another UID, statements minted by the bank's OBF
 * directory for that certificate's software, the data receiver role (DADOS).
 */
function obfTarget(bank: MockBank, base: Target): Target {
  const tpp = bank.certs.obfTpp;
  const alt = bank.certs.obfAltTpp;
  if (!tpp || !alt) throw new Error('the obf profile\'s mock has no OBF transport certificates (certs.obfTpp)');
  return {
    ...base,
    dialect: 'obf',
    transport: { cert: tpp.cert, key: tpp.key },
    altTransport: { cert: alt.cert, key: alt.key },
    softwareId: tpp.software_id,
    orgId: tpp.org_id,
    subjectDn: tpp.dn,
    roles: ['DADOS'],
    directory: { mode: 'mock-endpoint', url: `${bank.url}${OBF_DIRECTORY_PATH}` },
  };
}
