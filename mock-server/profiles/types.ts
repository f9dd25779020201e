import type { RuleId } from '../../catalogue/rules';

/** How a client registers and is managed: see Profile.registration.dialect. */
export const REGISTRATION_DIALECTS = ['obie', 'rfc7591', 'cdr', 'obf'] as const;
export type RegistrationDialect = (typeof REGISTRATION_DIALECTS)[number];

export type SpecVersion = '3.1' | '3.2' | '3.3';
/** The grant types the mock's token endpoint implements. */
export const TOKEN_GRANT_TYPES = ['client_credentials'] as const;
export type TokenGrantType = (typeof TOKEN_GRANT_TYPES)[number];

/** The token_endpoint_auth_methods the mock's token endpoint implements. */
export const TOKEN_AUTH_METHODS = ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const;

export type AuthMethod =
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt';

/** One error class of a `tppMessages` envelope: the category written and the HTTP status (also written as `code`). */
export interface ErrorClass {
  readonly category: string;
  readonly code: number;
}

/**
 * Where a response field comes from: `request.<claim>` (the registration request), `ssa.<claim>`
 * (the verified SSA), or the name of a field of the full OBIE client response
 * (`client_id`, `client_id_issued_at`, `scope`, `tls_client_auth_subject_dn`, `client_secret` ...).
 */
export type FieldSource = string;

/**
 * A bank's DCR behaviour, as data. The core reads these fields; it never branches on the name.
 */
export interface Profile {
  readonly name: string;
  readonly description: string;
  /** Seed document this profile follows, if any. */
  readonly source?: string;
  readonly specVersion: SpecVersion;
  /** Prefix for every route of this profile ('' for the root). */
  readonly basePath: string;
  readonly paths: {
    readonly register: string;
    readonly token: string;
    readonly jwks: string;
    /** Extra paths serving the discovery document, beside /.well-known/openid-configuration. */
    readonly discovery?: readonly string[];
    /** The issuer's path below the base, when the bank's issuer is not its base URL (WSO2: /oauth2/token). */
    readonly issuer?: string;
  };
  readonly registration: {
    /**
     * How a client registers (default 'obie'): 'obie', a signed registration JWT carrying an SSA
     * (OBIE DCR), managed with a client_credentials token; 'rfc7591', plain RFC 7591 JSON client
     * metadata (a software_statement optional), managed per RFC 7592 with a registration access
     * token. The rfc7591 dialect reads authMethods, defaultAuthMethod, authSigningAlgs, grantTypes,
     * responseTypes, scopes, ssaAlgs, dnClaims, mtls and requiredHeaders; the JWT fields are not used.
     * 'cdr': the Australia CDR data holder (routes/cdr.ts, core/cdr.ts): a ClientRegistration JWT
     * with a CDR Register SSA, ERR-DCR codes, management with a cdr:registration token.
     */
    readonly dialect?: RegistrationDialect;
    /**
     * rfc7591: POST {register} needs `Authorization: Bearer <this>` (RFC 7591 3: "The client
     * registration endpoint MAY be an OAuth 2.0 protected resource"); INITIAL_ACCESS_TOKEN sets it.
     */
    readonly initialAccessToken?: string;
    /** Discovery advertises registration_endpoint and token_endpoint in mtls_endpoint_aliases (RFC 8705 5; OBF requires it). */
    readonly mtlsEndpointAliases?: boolean;
    /** rfc7591: a software_statement is required (SSA-PRESENT), not optional. */
    readonly requireSoftwareStatement?: boolean;
    /** Accepted Content-Type values of the registration JWT. */
    readonly contentTypes: readonly string[];
    /** Algorithms accepted on the registration request JWS. */
    readonly requestAlgs: readonly string[];
    /** Algorithms accepted on the SSA. */
    readonly ssaAlgs: readonly string[];
    readonly authMethods: readonly AuthMethod[];
    /** token_endpoint_auth_method used when the request has none; without it the claim is required. */
    readonly defaultAuthMethod?: AuthMethod;
    readonly authSigningAlgs: readonly string[];
    readonly grantTypes: readonly string[];
    readonly responseTypes: readonly string[];
    readonly defaultResponseTypes: readonly string[];
    readonly scopes: readonly string[];
    /** Scopes a requested scope must include (e.g. Revolut: openid). */
    readonly requiredScopes: readonly string[];
    /** Shape of `scope` in the request: v3.1 array, v3.2+ space-separated string. */
    readonly scopeFormat: 'array' | 'string' | 'either';
    /** Claims accepted as the subject DN for tls_client_auth; the first is the one answered with. */
    readonly dnClaims: readonly ('tls_client_auth_subject_dn' | 'tls_client_auth_dn')[];
    /** Maximum iss / software_id length: 18 in v3.1, 22 from v3.2. */
    readonly issMaxLength: number;
    readonly applicationTypes: readonly string[];
    readonly idTokenAlgs: readonly string[];
    readonly requestObjectAlgs: readonly string[];
    /** Longest accepted exp - now of a registration request, in seconds. */
    readonly maxRequestLifetimeSeconds: number;
    /** Rules this bank does not enforce (deferred or lenient). */
    readonly skipRules: readonly RuleId[];
    /** POST (and PUT) {register} need a client certificate (mutual TLS). */
    readonly mtls: boolean;
    /** Request headers every registration and management request must carry (lower-case names). */
    readonly requiredHeaders: readonly string[];
    /**
     * POST {register} needs `Authorization: Bearer` with a client_credentials token of the
     * pre-provisioned developer-portal application (PORTAL_CLIENT_ID / PORTAL_CLIENT_SECRET).
     */
    readonly requireAccessToken: boolean;
    /** Issue a client_secret whatever the auth method (a sandbox handing out a mock id and secret pair). */
    readonly alwaysIssueSecret: boolean;
    /**
     * The result is not answered but sent later: the request format is checked at once, then the
     * bank answers `ack` with `status` and emails the created client or the list of errors.
     */
    readonly deferred?: {
      readonly channel: 'email';
      readonly status: number;
      readonly ack: Readonly<Record<string, unknown>>;
      /** org_contacts[].type of the SSA whose email receives the result (case-insensitive). */
      readonly contactType: string;
    };
  };
  /** The registration (and GET / PUT) response. */
  readonly response: {
    /** Status of a successful POST {register}. */
    readonly status: number;
    /** 'client': the client JSON; 'empty': no body at all. */
    readonly body: 'client' | 'empty';
    /** When set, exactly these fields in this order, each from its source; absent values are left out. */
    readonly fields?: Readonly<Record<string, FieldSource>>;
    /** Renames of fields of the full response (when `fields` is not set). */
    readonly rename?: Readonly<Record<string, string>>;
    readonly scopeAs: 'string' | 'array';
    readonly idIssuedAtAs: 'number' | 'string';
    /** Send the new client_id and client_secret in CREDENTIAL_HEADERS (and Location). */
    readonly credentialHeaders: boolean;
  };
  /** How refusals are written. */
  readonly errors: {
    /** 'oauth': RFC 7591 {error, error_description}; 'tppMessages': Berlin-Group style list; 'empty': status only. */
    readonly envelope: 'oauth' | 'tppMessages' | 'empty';
    /** tppMessages: the class of each rule; rules not listed use defaultClass. */
    readonly classes?: Readonly<Partial<Record<RuleId, ErrorClass>>>;
    readonly defaultClass?: ErrorClass;
    /** tppMessages: the answer for an unknown path. */
    readonly notFound?: ErrorClass & { readonly text: string };
    /**
     * A bank that documents a closed list of statuses per operation: a refusal whose status it
     * does not list is answered with the one it does (by method: undocumented status -> documented).
     */
    readonly remapStatus?: Readonly<Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Readonly<Record<number, number>>>>>;
    /**
     * A wrong method on a known path: 405 with Allow (the default), or 'not-found': answered as an
     * unknown path, by a bank whose documented statuses have no 405 (email-deferred).
     */
    readonly wrongMethod?: 'not-found';
  };
  /** Which of GET / PUT / DELETE {register}/{ClientId} the bank supports; the others answer 405. */
  readonly management: {
    readonly get: boolean;
    readonly put: boolean;
    readonly delete: boolean;
    /**
     * rfc7591: the answers on which the registration access token is replaced by a new one (RFC
     * 7592 3: the server "MAY" issue a new one). Default ['PUT'], as node-oidc-provider.
     */
    readonly rotateRegistrationAccessToken?: readonly ('GET' | 'PUT')[];
  };
  readonly token: {
    /**
     * Grant types the token endpoint serves, advertised as discovery's grant_types_supported. The
     * mock implements client_credentials only (no authorization endpoint): registration.grantTypes
     * is what a client may register for the bank's production authorization server, not this.
     */
    readonly grantTypes: readonly TokenGrantType[];
    /** expires_in of client_credentials access tokens, in seconds. */
    readonly accessTokenLifetimeSeconds: number;
    /** Longest accepted exp - now of a private_key_jwt client assertion, in seconds. */
    readonly maxAssertionLifetimeSeconds: number;
    /** Scopes granted on request beyond the registered ones (WSO2 grants openid). */
    readonly extraScopes: readonly string[];
  };
}

/** Where a profile with `response.credentialHeaders` puts a new client's credentials. */
export const CREDENTIAL_HEADERS = { clientId: 'x-client-id', clientSecret: 'x-client-secret' } as const;
