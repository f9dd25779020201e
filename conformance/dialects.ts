/**
 * The DCR dialects the pack speaks, as data: how a registration request is carried, how the
 * management operations are authorised, and what a target of that dialect must configure. A check
 * declares the dialects it applies to (`dialects`, default `obie`); against a target of another
 * dialect it is reported `n/a` with the reason, never run, passed or failed. A new dialect is a row
 * here and the exchange builders of its plans, not a branch in the checks.
 */
export type Dialect = 'obie' | 'rfc7591' | 'cdr' | 'obf';

export const DIALECT_NAMES = ['obie', 'rfc7591', 'cdr', 'obf'] as const satisfies readonly Dialect[];

export interface DialectSpec {
  /** One line for --help and the reports. */
  title: string;
  /** The content type of POST and PUT bodies. */
  contentType: 'application/jose' | 'application/jwt' | 'application/json';
  /**
   * How GET/PUT/DELETE are authorised: a client_credentials access token of the client (OBIE), or
   * the registration access token the server returned (RFC 7592 3), the newest one when it rotates.
   */
  managementAuth: 'client-credentials' | 'registration-access-token';
  /** Whether the target must give an SSA source (directory) and a transport certificate. */
  needsDirectory: boolean;
  needsTransport: boolean;
  /** Auth methods a target of this dialect registers with when it does not say. */
  defaultAuthMethods: readonly ('tls_client_auth' | 'private_key_jwt' | 'client_secret_basic' | 'client_secret_post')[];
  /** The scope the management token is requested with, when the dialect names one (cdr: cdr:registration). */
  managementScope?: string;
  /**
   * Where the transport certificate names the software: OBIE CN = software_id and OU = org_id; Open
   * Finance Brasil UID = software_id and organizationIdentifier = OFBBR-<org_id>. Default cn-ou.
   */
  certificateIdentity?: 'cn-ou' | 'uid-organization-identifier';
  /** Where the mock bank serves this dialect's directory, at its origin (directory "mock-endpoint" without directoryUrl). Default /directory. */
  mockDirectoryPath?: string;
  /** The roles the pack asks the directory for when the target names none. Default AISP, PISP, CBPII. */
  defaultRoles?: readonly string[];
}

export const DIALECTS: Readonly<Record<Dialect, DialectSpec>> = {
  obie: {
    title: 'Open Banking UK DCR: a signed JWT request carrying an SSA, over mTLS; management with a client_credentials token',
    contentType: 'application/jose',
    managementAuth: 'client-credentials',
    needsDirectory: true,
    needsTransport: true,
    defaultAuthMethods: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic'],
  },
  rfc7591: {
    title: 'Plain RFC 7591 / 7592: JSON metadata (software_statement optional, an initial access token when required); management with the registration access token',
    contentType: 'application/json',
    managementAuth: 'registration-access-token',
    needsDirectory: false,
    needsTransport: false,
    defaultAuthMethods: ['client_secret_basic'],
  },
  cdr: {
    title: 'Australia CDR: a signed JWT (application/jwt) carrying a CDR Register SSA, over mTLS; management with a certificate-bound client_credentials token of scope cdr:registration',
    contentType: 'application/jwt',
    managementAuth: 'client-credentials',
    needsDirectory: true,
    needsTransport: true,
    defaultAuthMethods: ['private_key_jwt'],
    managementScope: 'cdr:registration',
    mockDirectoryPath: '/cdr-register/v1',
  },
  obf: {
    title: 'Open Finance Brasil DCR 1.0: JSON metadata carrying the directory SSA, over mTLS; management with the registration access token',
    contentType: 'application/json',
    managementAuth: 'registration-access-token',
    needsDirectory: true,
    needsTransport: true,
    defaultAuthMethods: ['private_key_jwt', 'tls_client_auth'],
    certificateIdentity: 'uid-organization-identifier',
    // A data receiver (DADOS): a scope of another role (payments) is then one beyond the roles.
    defaultRoles: ['DADOS'],
    mockDirectoryPath: '/obf-directory',
  },
};

export const isDialect = (v: unknown): v is Dialect => typeof v === 'string' && (DIALECT_NAMES as readonly string[]).includes(v);

/** The dialects a check applies to: its own, else OBIE (every check written before dialects were data). */
export const dialectsOf = (check: { dialects?: readonly Dialect[] }): readonly Dialect[] => check.dialects ?? ['obie'];
