import type { RuleId } from '../../catalogue/rules';

export type SpecVersion = '3.1' | '3.2' | '3.3';
export type AuthMethod =
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt';

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
  };
  readonly registration: {
    /** Accepted Content-Type values of the registration JWT. */
    readonly contentTypes: readonly string[];
    /** Algorithms accepted on the registration request JWS. */
    readonly requestAlgs: readonly string[];
    /** Algorithms accepted on the SSA. */
    readonly ssaAlgs: readonly string[];
    readonly authMethods: readonly AuthMethod[];
    readonly authSigningAlgs: readonly string[];
    readonly grantTypes: readonly string[];
    readonly responseTypes: readonly string[];
    readonly defaultResponseTypes: readonly string[];
    readonly scopes: readonly string[];
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
  };
  readonly token: {
    /** expires_in of client_credentials access tokens, in seconds. */
    readonly accessTokenLifetimeSeconds: number;
    /** Longest accepted exp - now of a private_key_jwt client assertion, in seconds. */
    readonly maxAssertionLifetimeSeconds: number;
  };
}
