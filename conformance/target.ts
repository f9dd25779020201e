import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { JWK } from 'jose';
import { parseDn, formatDn, dnEquals } from '../common/dn';
import { attributeOf, obfCertificateDn, OID, orgIdOf } from '../common/obf-dn';
import { parseBind } from './jwks-host';
import { DIALECTS, DIALECT_NAMES, type Dialect } from './dialects';

/**
 * The bank under test: where it is, the TPP's credentials, how SSAs are obtained and what the
 * bank declares it implements. Read from a JSON file and DCR_* environment variables (env wins),
 * validated at start; errors name the field.
 */
export type SpecVersion = '3.1' | '3.2' | '3.3';
export type ManagementOperation = 'GET' | 'PUT' | 'DELETE';
export type AuthMethod = 'tls_client_auth' | 'private_key_jwt' | 'client_secret_basic' | 'client_secret_post';

/** How SSAs are obtained: as given, minted by the mock bank's directory endpoint, or signed here with a directory key. */
export type DirectoryConfig =
  | { mode: 'given'; ssa: string }
  /**
   * url: given as directoryUrl, else derived from the bank's origin (discoveryUrl, else registrationEndpoint) + /directory.
   * key: the mock directory's signing JWK, when known, for the probes that re-sign an SSA with the real key.
   */
  | { mode: 'mock-endpoint'; url: string; key?: JWK }
  | { mode: 'local-key'; key: JWK; issuer: string; softwareJwksEndpoint?: string; hostUrl?: string }
  /** No SSA at all: a dialect whose registration needs none (rfc7591: software_statement is optional). */
  | { mode: 'none' };

export interface Capabilities {
  /** GET/PUT/DELETE /register/{ClientId} and the client_credentials token: false skips the management plan. */
  management: boolean;
  /** Of GET, PUT, DELETE: those the bank implements (e.g. no DELETE answers 405); checks needing another are declared skips. */
  operations: ManagementOperation[];
  /** Auth methods the bank supports, the preferred first. */
  authMethods: AuthMethod[];
  contentType: 'application/jose' | 'application/jwt' | 'application/json';
  /** The shape of `scope` the bank wants, when it differs from specVersion's (3.1: array, else string). */
  scopeFormat?: 'string' | 'array';
  /** response_types the pack registers with, when the bank supports less than `code id_token`. */
  responseTypes?: string[];
  /** Response headers carrying the new client's id and secret, for banks that answer 201 without a body. */
  credentialHeaders?: { clientId: string; clientSecret?: string };
}

/**
 * A registration endpoint protected by an access token (e.g. a sandbox's developer-portal
 * application): the pack gets a client_credentials token with client_secret_basic and sends it
 * as a bearer token on POST.
 */
export interface RegistrationAuth {
  /** Default: the discovery token_endpoint. */
  tokenEndpoint?: string;
  clientId: string;
  clientSecret: string;
}

export interface Target {
  /** The DCR dialect the bank speaks (conformance/dialects.ts); checks of other dialects are n/a. Absent: obie. */
  dialect?: Dialect;
  discoveryUrl?: string;
  registrationEndpoint?: string;
  specVersion: SpecVersion;
  /** The TPP transport certificate: required by the obie dialect, optional for rfc7591 (no mTLS then). */
  transport?: { cert: string; key: string };
  /**
   * A second transport certificate the bank trusts, with another subject DN (no client is registered
   * with it): for the probes that present a trusted certificate that is not the client's. Checks
   * needing it are declared skips without it.
   */
  altTransport?: { cert: string; key: string };
  ca?: string;
  /** Skip server-certificate verification (never for production banks). */
  insecure: boolean;
  /** The TPP's private signing JWK; generated when absent and the directory can host its public part. */
  signingKey?: JWK;
  /**
   * Private JWKs of other algorithms the software JWKS at softwareJwksEndpoint also holds (an ES256
   * key beside the PS256 one): each advertised token_endpoint_auth_signing_alg is exercised with them.
   * When the pack hosts the JWKS it adds an ES256 key itself.
   */
  extraSigningKeys?: JWK[];
  softwareId: string;
  orgId: string;
  /** The bank's id for aud; defaults to the discovery issuer. */
  aud?: string;
  redirectUris: string[];
  roles: string[];
  /** Subject DN of the transport certificate, RFC 4514. */
  subjectDn: string;
  directory: DirectoryConfig;
  capabilities: Capabilities;
  /** Static headers sent on every registration and management request (e.g. Accept, client_id). */
  headers?: Record<string, string>;
  registrationAuth?: RegistrationAuth;
  /** RFC 7591 3: an initial access token the registration endpoint requires, sent as a Bearer token on POST. */
  initialAccessToken?: string;
  timeoutMs: number;
  /**
   * How many plans run side by side (default: all of them), and how many independent exchanges each
   * plan has in flight (default 4: refusal probes of one accepted control); 1 runs everything one
   * exchange after another, e.g. for a bank that rate-limits.
   */
  concurrency?: number;
  /**
   * The pack's own HTTPS host, for the probes naming a key set off the directory (SSA-JWKS-OTHER-HOST,
   * SSA-JKU): where it listens (host:port, default 127.0.0.1 and an ephemeral port) and the URL the
   * bank reaches it by (default https://<bind>:<port>), for a bank not on this machine.
   */
  jwksHost?: { bind?: string; publicUrl?: string };
}

/** The target's dialect: as declared, else obie. */
export const dialectOf = (t: Pick<Target, 'dialect'>): Dialect => t.dialect ?? 'obie';

export class TargetConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'TargetConfigError';
  }
}

type Kind = 'string' | 'url' | 'file' | 'bool' | 'list' | 'int';
interface Field {
  env: string;
  kind: Kind;
  secret?: boolean;
  values?: readonly string[];
}

/** Every config field, its environment variable and its type. Unknown keys fail. */
export const FIELDS = {
  dialect: { env: 'DCR_DIALECT', kind: 'string', values: DIALECT_NAMES },
  discoveryUrl: { env: 'DCR_DISCOVERY_URL', kind: 'url' },
  registrationEndpoint: { env: 'DCR_REGISTRATION_ENDPOINT', kind: 'url' },
  specVersion: { env: 'DCR_SPEC_VERSION', kind: 'string', values: ['3.1', '3.2', '3.3'] },
  transportCert: { env: 'DCR_TRANSPORT_CERT', kind: 'file' },
  transportKey: { env: 'DCR_TRANSPORT_KEY', kind: 'file', secret: true },
  altTransportCert: { env: 'DCR_ALT_TRANSPORT_CERT', kind: 'file' },
  altTransportKey: { env: 'DCR_ALT_TRANSPORT_KEY', kind: 'file', secret: true },
  ca: { env: 'DCR_CA', kind: 'file' },
  insecure: { env: 'DCR_INSECURE', kind: 'bool' },
  signingKey: { env: 'DCR_SIGNING_KEY', kind: 'file', secret: true },
  signingKid: { env: 'DCR_SIGNING_KID', kind: 'string' },
  softwareId: { env: 'DCR_SOFTWARE_ID', kind: 'string' },
  orgId: { env: 'DCR_ORG_ID', kind: 'string' },
  aud: { env: 'DCR_AUD', kind: 'string' },
  redirectUris: { env: 'DCR_REDIRECT_URIS', kind: 'list' },
  roles: { env: 'DCR_ROLES', kind: 'list' },
  subjectDn: { env: 'DCR_SUBJECT_DN', kind: 'string' },
  ssa: { env: 'DCR_SSA', kind: 'string', secret: true },
  ssaFile: { env: 'DCR_SSA_FILE', kind: 'file' },
  directory: { env: 'DCR_DIRECTORY', kind: 'string', values: ['given', 'mock-endpoint', 'local-key', 'none'] },
  directoryUrl: { env: 'DCR_DIRECTORY_URL', kind: 'url' },
  directoryKey: { env: 'DCR_DIRECTORY_KEY', kind: 'file', secret: true },
  directoryIssuer: { env: 'DCR_DIRECTORY_ISSUER', kind: 'string' },
  softwareJwksEndpoint: { env: 'DCR_SOFTWARE_JWKS_ENDPOINT', kind: 'url' },
  management: { env: 'DCR_MANAGEMENT', kind: 'bool' },
  operations: { env: 'DCR_OPERATIONS', kind: 'list', values: ['GET', 'PUT', 'DELETE'] },
  authMethods: { env: 'DCR_AUTH_METHODS', kind: 'list', values: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'] },
  contentType: { env: 'DCR_CONTENT_TYPE', kind: 'string', values: ['application/jose', 'application/jwt', 'application/json'] },
  scopeFormat: { env: 'DCR_SCOPE_FORMAT', kind: 'string', values: ['string', 'array'] },
  responseTypes: { env: 'DCR_RESPONSE_TYPES', kind: 'list' },
  credentialHeaders: { env: 'DCR_CREDENTIAL_HEADERS', kind: 'list' },
  headers: { env: 'DCR_HEADERS', kind: 'list' },
  registrationTokenEndpoint: { env: 'DCR_REGISTRATION_TOKEN_ENDPOINT', kind: 'url' },
  registrationClientId: { env: 'DCR_REGISTRATION_CLIENT_ID', kind: 'string' },
  registrationClientSecret: { env: 'DCR_REGISTRATION_CLIENT_SECRET', kind: 'string', secret: true },
  initialAccessToken: { env: 'DCR_INITIAL_ACCESS_TOKEN', kind: 'string', secret: true },
  timeoutMs: { env: 'DCR_TIMEOUT_MS', kind: 'int' },
  concurrency: { env: 'DCR_CONCURRENCY', kind: 'int' },
  jwksHostUrl: { env: 'DCR_JWKS_HOST_URL', kind: 'url' },
  jwksHostBind: { env: 'DCR_JWKS_HOST_BIND', kind: 'string' },
} as const satisfies Record<string, Field>;

type FieldName = keyof typeof FIELDS;
type Raw = Partial<Record<FieldName, string | boolean | number | string[]>>;

function coerce(name: FieldName, value: unknown, from: 'env' | 'file'): string | boolean | number | string[] {
  const f: Field = FIELDS[name];
  const where = from === 'env' ? f.env : name;
  const bad = (why: string): never => {
    throw new TargetConfigError(where, why);
  };
  switch (f.kind) {
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      return bad(`must be true or false (got ${JSON.stringify(value)})`);
    case 'int':
      if (Number.isInteger(Number(value)) && Number(value) > 0) return Number(value);
      return bad(`must be a positive integer (got ${JSON.stringify(value)})`);
    case 'list': {
      const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : bad('must be a list');
      if (list.some((v) => typeof v !== 'string')) bad('must be a list of strings');
      const wrong = f.values && list.find((v) => !f.values!.includes(v as string));
      if (wrong) bad(`${JSON.stringify(wrong)} is not one of ${f.values!.join(', ')}`);
      return list as string[];
    }
    default: {
      if (typeof value !== 'string' || value === '') return bad('must be a non-empty string');
      if (f.values && !f.values.includes(value)) bad(`must be one of ${f.values.join(', ')} (got ${JSON.stringify(value)})`);
      if (f.kind === 'url' && (!URL.canParse(value) || new URL(value).protocol !== 'https:')) bad(`must be an https URL (got ${JSON.stringify(value)})`);
      return value;
    }
  }
}

export interface LoadOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Highest precedence, e.g. --target from the command line. */
  overrides?: Raw;
}

/** Reads the JSON file (paths relative to it) and the environment, env winning; validates and resolves files. */
export function loadTarget(opts: LoadOptions = {}): Target {
  const env = opts.env ?? process.env;
  const raw: Raw = {};
  let baseDir = process.cwd();
  if (opts.configFile) {
    if (!existsSync(opts.configFile)) throw new TargetConfigError('--config', `file ${opts.configFile} does not exist`);
    baseDir = dirname(resolve(opts.configFile));
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(opts.configFile, 'utf8'));
    } catch (e) {
      throw new TargetConfigError('--config', `${opts.configFile} is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TargetConfigError('--config', 'must hold a JSON object');
    for (const [k, v] of Object.entries(parsed)) {
      if (k === '$comment') continue;
      if (!(k in FIELDS)) throw new TargetConfigError(k, `unknown field (known: ${Object.keys(FIELDS).join(', ')})`);
      raw[k as FieldName] = coerce(k as FieldName, v, 'file');
    }
  }
  for (const [k, f] of Object.entries(FIELDS) as Array<[FieldName, Field]>) {
    const v = env[f.env];
    if (v !== undefined && v !== '') raw[k] = coerce(k, v, 'env');
  }
  Object.assign(raw, opts.overrides ?? {});
  return resolveTarget(raw, baseDir);
}

function readField(raw: Raw, name: FieldName, baseDir: string): string | undefined {
  const path = raw[name] as string | undefined;
  if (path === undefined) return undefined;
  const full = resolve(baseDir, path);
  try {
    return readFileSync(full, 'utf8');
  } catch (e) {
    throw new TargetConfigError(name, `cannot read ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readJwk(raw: Raw, name: 'signingKey' | 'directoryKey', baseDir: string): JWK | undefined {
  const text = readField(raw, name, baseDir);
  if (text === undefined) return undefined;
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new TargetConfigError(name, 'is not a JSON JWK');
  }
  if (typeof jwk.kty !== 'string' || !jwk.d) throw new TargetConfigError(name, 'must be a private JWK (with "d")');
  return jwk;
}

/** CN and OU of the transport certificate: OB transport certificates carry software_id and org_id there. */
function certIdentity(pem: string, field: FieldName = 'transportCert'): { dn: string; cn?: string; ou?: string } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (e) {
    throw new TargetConfigError(field, `is not a PEM certificate: ${(e as Error).message}`);
  }
  const dn = parseDn(cert.subject);
  const get = (oid: string) => dn.flat().find((a) => a.type === oid)?.value;
  const cn = get('2.5.4.3');
  const ou = get('2.5.4.11');
  return { dn: formatDn(dn), ...(cn ? { cn } : {}), ...(ou ? { ou } : {}) };
}

export function resolveTarget(raw: Raw, baseDir = process.cwd()): Target {
  const s = (k: FieldName) => raw[k] as string | undefined;
  if (!s('discoveryUrl') && !s('registrationEndpoint')) throw new TargetConfigError('discoveryUrl', 'give discoveryUrl or registrationEndpoint (DCR_DISCOVERY_URL / DCR_REGISTRATION_ENDPOINT)');
  const dialect = (s('dialect') ?? 'obie') as Dialect;
  const spec = DIALECTS[dialect];
  const cert = readField(raw, 'transportCert', baseDir);
  const key = readField(raw, 'transportKey', baseDir);
  if (!spec.needsTransport && !cert && !key) return resolveWithoutTransport(raw, baseDir, dialect);
  if (!cert) throw new TargetConfigError('transportCert', 'the TPP transport certificate (PEM file) is required');
  if (!key) throw new TargetConfigError('transportKey', 'the transport certificate private key (PEM file) is required');
  const altCert = readField(raw, 'altTransportCert', baseDir);
  const altKey = readField(raw, 'altTransportKey', baseDir);
  if (Boolean(altCert) !== Boolean(altKey)) throw new TargetConfigError(altCert ? 'altTransportKey' : 'altTransportCert', 'altTransportCert and altTransportKey go together');
  const ca = readField(raw, 'ca', baseDir);
  const insecure = (raw.insecure as boolean | undefined) ?? false;
  const identity = certIdentity(cert);
  let matches = false;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (e) {
    throw new TargetConfigError('transportKey', `is not a PEM private key: ${(e as Error).message}`);
  }
  if (!matches) throw new TargetConfigError('transportKey', 'does not match transportCert (the private key is of another certificate)');
  if (altCert && dnEquals(certIdentity(altCert, 'altTransportCert').dn, identity.dn)) {
    throw new TargetConfigError('altTransportCert', `has the transport certificate's subject DN (${identity.dn}); give a trusted certificate with another subject`);
  }
  // Open Finance Brasil certificates name the software in UID and the organisation in organizationIdentifier (OFBBR-<org_id>).
  const obfNames = spec.certificateIdentity === 'uid-organization-identifier' ? obfCertificateDn(cert) : undefined;
  const softwareId = s('softwareId') ?? (obfNames ? attributeOf(obfNames, OID.uid) : identity.cn);
  if (!softwareId) throw new TargetConfigError('softwareId', `is required (the transport certificate has no ${obfNames ? 'UID' : 'CN'} to default to)`);
  const orgId = s('orgId') ?? (obfNames ? orgIdOf(obfNames) : identity.ou) ?? '';

  let signingKey = readJwk(raw, 'signingKey', baseDir);
  if (signingKey && s('signingKid')) signingKey = { ...signingKey, kid: s('signingKid')! };

  const mode = (s('directory') ?? (s('ssa') || s('ssaFile') ? 'given' : s('directoryKey') ? 'local-key' : s('directoryUrl') ? 'mock-endpoint' : spec.needsDirectory ? undefined : 'none')) as DirectoryConfig['mode'] | undefined;
  let directory: DirectoryConfig;
  if (mode === 'none') {
    if (spec.needsDirectory) throw new TargetConfigError('directory', `"none" is for dialects that need no SSA; the ${dialect} dialect needs one`);
    directory = { mode };
  } else if (mode === 'given') {
    const ssa = s('ssa') ?? readField(raw, 'ssaFile', baseDir)?.trim();
    if (!ssa) throw new TargetConfigError('ssa', 'directory "given" needs ssa or ssaFile');
    if (!signingKey) throw new TargetConfigError('signingKey', 'with a given SSA, the private JWK of the software key it names is required');
    directory = { mode, ssa };
  } else if (mode === 'mock-endpoint') {
    // Omitted: the mock bank's own directory, at the bank's origin, so it moves with discoveryUrl (--target).
    const bankUrl = s('discoveryUrl') ?? s('registrationEndpoint')!;
    // Where the mock serves this dialect's directory (cdr: the CDR Register, obf: the OBF directory).
    const url = s('directoryUrl') ?? `${new URL(bankUrl).origin}${DIALECTS[dialect].mockDirectoryPath ?? '/directory'}`;
    // The mock directory's signing key, when the bank is a local mock (certs/directory-signing.jwk.json): the SSA near misses need it.
    const dkey = readJwk(raw, 'directoryKey', baseDir);
    directory = { mode, url, ...(dkey ? { key: dkey } : {}) };
  } else if (mode === 'local-key') {
    const dkey = readJwk(raw, 'directoryKey', baseDir);
    if (!dkey) throw new TargetConfigError('directoryKey', 'directory "local-key" needs the directory private JWK');
    const jwks = s('softwareJwksEndpoint');
    const host = s('directoryUrl');
    if (!jwks && !host) throw new TargetConfigError('softwareJwksEndpoint', 'directory "local-key" needs softwareJwksEndpoint (hosting the signing key) or directoryUrl (a mock directory that hosts it)');
    if (!jwks && !signingKey && !host) throw new TargetConfigError('signingKey', 'is required with softwareJwksEndpoint');
    directory = { mode, key: dkey, issuer: s('directoryIssuer') ?? (dialect === 'cdr' ? 'cdr-register' : 'DCR Mock Directory'), ...(jwks ? { softwareJwksEndpoint: jwks } : {}), ...(host ? { hostUrl: host } : {}) };
  } else {
    throw new TargetConfigError('directory', 'say how SSAs are obtained: ssa / ssaFile (given), directoryUrl (mock-endpoint) or directoryKey (local-key)');
  }
  if (directory.mode === 'given' || (directory.mode === 'local-key' && directory.softwareJwksEndpoint)) {
    if (!signingKey) throw new TargetConfigError('signingKey', 'is required: the bank verifies the request against the software JWKS');
  }

  const { redirectUris, headers, registrationAuth } = shared(raw);

  return {
    ...common(raw, dialect),
    transport: { cert, key },
    ...(altCert && altKey ? { altTransport: { cert: altCert, key: altKey } } : {}),
    ...(ca ? { ca } : {}),
    insecure,
    ...(signingKey ? { signingKey } : {}),
    softwareId,
    orgId,
    ...(s('aud') ? { aud: s('aud')! } : {}),
    subjectDn: s('subjectDn') ?? identity.dn,
    directory,
    ...rest(raw, dialect, redirectUris, headers, registrationAuth),
  };
}

/** The fields every target has, whatever its transport. */
function common(raw: Raw, dialect: Dialect): { dialect: Dialect } & Pick<Target, 'discoveryUrl' | 'registrationEndpoint' | 'specVersion' | 'initialAccessToken'> {
  const s = (k: FieldName) => raw[k] as string | undefined;
  return {
    dialect,
    ...(s('discoveryUrl') ? { discoveryUrl: s('discoveryUrl')! } : {}),
    ...(s('registrationEndpoint') ? { registrationEndpoint: s('registrationEndpoint')! } : {}),
    specVersion: (s('specVersion') ?? '3.3') as SpecVersion,
    ...(s('initialAccessToken') ? { initialAccessToken: s('initialAccessToken')! } : {}),
  };
}

function rest(raw: Raw, dialect: Dialect, redirectUris: string[], headers: Record<string, string>, registrationAuth: RegistrationAuth | undefined): Pick<Target, 'redirectUris' | 'roles' | 'capabilities' | 'headers' | 'registrationAuth' | 'timeoutMs' | 'concurrency' | 'jwksHost'> {
  const s = (k: FieldName) => raw[k] as string | undefined;
  const hostBind = s('jwksHostBind');
  if (hostBind !== undefined && !parseBind(hostBind)) throw new TargetConfigError('jwksHostBind', `must be host:port, e.g. 0.0.0.0:8443 (got ${JSON.stringify(hostBind)})`);
  const hostUrl = s('jwksHostUrl');
  if (hostUrl !== undefined && new URL(hostUrl).pathname !== '/') throw new TargetConfigError('jwksHostUrl', `must be an origin, without a path (got ${JSON.stringify(hostUrl)})`);
  const jwksHost = { ...(hostBind ? { bind: hostBind } : {}), ...(hostUrl ? { publicUrl: hostUrl } : {}) };

  return {
    redirectUris,
    roles: (raw.roles as string[] | undefined) ?? [...(DIALECTS[dialect].defaultRoles ?? ['AISP', 'PISP', 'CBPII'])],
    capabilities: {
      management: (raw.management as boolean | undefined) ?? true,
      operations: (raw.operations as ManagementOperation[] | undefined) ?? ['GET', 'PUT', 'DELETE'],
      authMethods: ((raw.authMethods as AuthMethod[] | undefined) ?? [...DIALECTS[dialect].defaultAuthMethods]),
      contentType: (s('contentType') ?? DIALECTS[dialect].contentType) as Capabilities['contentType'],
      ...(s('scopeFormat') ? { scopeFormat: s('scopeFormat') as 'string' | 'array' } : {}),
      ...(raw.responseTypes ? { responseTypes: raw.responseTypes as string[] } : {}),
      ...(credentialHeaders(raw.credentialHeaders as string[] | undefined)),
    },
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(registrationAuth ? { registrationAuth } : {}),
    timeoutMs: (raw.timeoutMs as number | undefined) ?? 15_000,
    ...(raw.concurrency !== undefined ? { concurrency: raw.concurrency as number } : {}),
    ...(Object.keys(jwksHost).length ? { jwksHost } : {}),
  };
}

/** redirectUris, headers and the registration token client: validated alike with or without a transport certificate. */
function shared(raw: Raw): { redirectUris: string[]; headers: Record<string, string>; registrationAuth: RegistrationAuth | undefined } {
  const s = (k: FieldName) => raw[k] as string | undefined;
  const redirectUris = (raw.redirectUris as string[] | undefined) ?? ['https://tpp.example.com/callback'];
  const bad = redirectUris.find((u) => !URL.canParse(u) || new URL(u).protocol !== 'https:');
  if (bad) throw new TargetConfigError('redirectUris', `${JSON.stringify(bad)} is not an https URL`);
  const headers = parseHeaders((raw.headers as string[] | undefined) ?? []);
  const regId = s('registrationClientId');
  const regSecret = s('registrationClientSecret');
  if (Boolean(regId) !== Boolean(regSecret)) throw new TargetConfigError(regId ? 'registrationClientSecret' : 'registrationClientId', 'registrationClientId and registrationClientSecret go together');
  const registrationAuth: RegistrationAuth | undefined = regId && regSecret
    ? { clientId: regId, clientSecret: regSecret, ...(s('registrationTokenEndpoint') ? { tokenEndpoint: s('registrationTokenEndpoint')! } : {}) }
    : undefined;
  return { redirectUris, headers, registrationAuth };
}

/**
 * A target of a dialect that needs no client certificate, configured without one: no mTLS, no
 * subject DN; software_id and org_id as given (defaults for the JSON metadata otherwise), and an
 * SSA only when one is given or a directory key signs one.
 */
function resolveWithoutTransport(raw: Raw, baseDir: string, dialect: Dialect): Target {
  const s = (k: FieldName) => raw[k] as string | undefined;
  const ca = readField(raw, 'ca', baseDir);
  let signingKey = readJwk(raw, 'signingKey', baseDir);
  if (signingKey && s('signingKid')) signingKey = { ...signingKey, kid: s('signingKid')! };
  const mode = s('directory') ?? (s('ssa') || s('ssaFile') ? 'given' : 'none');
  let directory: DirectoryConfig;
  if (mode === 'none') directory = { mode };
  else if (mode === 'given') {
    const ssa = s('ssa') ?? readField(raw, 'ssaFile', baseDir)?.trim();
    if (!ssa) throw new TargetConfigError('ssa', 'directory "given" needs ssa or ssaFile');
    directory = { mode, ssa };
  } else throw new TargetConfigError('directory', `without a transport certificate, give an SSA (ssa / ssaFile) or none (got ${JSON.stringify(mode)})`);
  const { redirectUris, headers, registrationAuth } = shared(raw);
  return {
    ...common(raw, dialect),
    ...(ca ? { ca } : {}),
    insecure: (raw.insecure as boolean | undefined) ?? false,
    ...(signingKey ? { signingKey } : {}),
    softwareId: s('softwareId') ?? 'dcr-conformance',
    orgId: s('orgId') ?? '',
    ...(s('aud') ? { aud: s('aud')! } : {}),
    subjectDn: s('subjectDn') ?? '',
    directory,
    ...rest(raw, dialect, redirectUris, headers, registrationAuth),
  };
}

/** credentialHeaders: [client id header, client secret header?], lower-cased. */
function credentialHeaders(list: string[] | undefined): { credentialHeaders?: { clientId: string; clientSecret?: string } } {
  if (!list) return {};
  if (list.length < 1 || list.length > 2 || list.some((h) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h))) {
    throw new TargetConfigError('credentialHeaders', 'must name the client id header and optionally the client secret header, e.g. ["x-client-id", "x-client-secret"]');
  }
  const [clientId, clientSecret] = list.map((h) => h.toLowerCase());
  return { credentialHeaders: { clientId: clientId!, ...(clientSecret ? { clientSecret } : {}) } };
}

/** `Name: value` entries to a header map (lower-case names). */
function parseHeaders(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of list) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(entry);
    if (!m) throw new TargetConfigError('headers', `${JSON.stringify(entry)} is not "Name: value"`);
    out[m[1]!.toLowerCase()] = m[2]!;
  }
  return out;
}

/** The resolved configuration for printing: keys, certificates and SSAs redacted. */
export function describeTarget(t: Target): Record<string, unknown> {
  const dir = t.directory;
  return {
    dialect: dialectOf(t),
    discoveryUrl: t.discoveryUrl,
    registrationEndpoint: t.registrationEndpoint,
    specVersion: t.specVersion,
    transport: t.transport ? { cert: `(PEM, subject ${t.subjectDn})`, key: '(redacted)' } : '(none: no client certificate)',
    ...(t.altTransport ? { altTransport: { cert: `(PEM, subject ${certIdentity(t.altTransport.cert, 'altTransportCert').dn})`, key: '(redacted)' } } : {}),
    ca: t.ca ? '(PEM)' : t.insecure ? '(server certificate NOT verified)' : '(system trust store)',
    signingKey: t.signingKey ? `(redacted, kid ${t.signingKey.kid ?? '?'})` : '(generated per run)',
    softwareId: t.softwareId,
    orgId: t.orgId,
    aud: t.aud ?? '(discovery issuer)',
    redirectUris: t.redirectUris,
    roles: t.roles,
    directory:
      dir.mode === 'none' ? { mode: dir.mode }
      : dir.mode === 'given' ? { mode: dir.mode, ssa: '(redacted)' }
        : dir.mode === 'mock-endpoint' ? { mode: dir.mode, url: dir.url, ...(dir.key ? { key: `(redacted, kid ${dir.key.kid ?? '?'})` } : {}) }
          : { mode: dir.mode, key: `(redacted, kid ${dir.key.kid ?? '?'})`, issuer: dir.issuer, softwareJwksEndpoint: dir.softwareJwksEndpoint, hostUrl: dir.hostUrl },
    capabilities: t.capabilities,
    ...(t.headers ? { headers: t.headers } : {}),
    ...(t.registrationAuth ? { registrationAuth: { ...t.registrationAuth, clientSecret: '(redacted)' } } : {}),
    ...(t.initialAccessToken ? { initialAccessToken: '(redacted)' } : {}),
    timeoutMs: t.timeoutMs,
    ...(t.concurrency !== undefined ? { concurrency: t.concurrency } : {}),
    ...(t.jwksHost ? { jwksHost: t.jwksHost } : {}),
  };
}
