import type { SpecRef } from './references';

/**
 * The one catalogue of DCR rules. The mock bank names the rule that refused a request in its
 * error_description (`<id>: <what was wrong>`); the conformance pack's checks cite the same ids.
 */
export type OAuthErrorCode =
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_grant'
  | 'access_denied'
  | 'not_found'
  | 'method_not_allowed'
  | 'server_error'
  /** A store or the directory is full of live entries (RFC 6749 4.1.2.1): 503 with Retry-After. */
  | 'temporarily_unavailable';

export interface RuleDescriptor {
  readonly title: string;
  readonly spec: readonly SpecRef[];
  /** The OAuth error code the mock answers with when the rule fails. */
  readonly error: OAuthErrorCode;
}

function rule(title: string, error: OAuthErrorCode, ...spec: SpecRef[]): RuleDescriptor {
  return { title, error, spec };
}

export const rules = {
  // Discovery: what the well-known document advertises (behaviour rules: never refusals, but each can be broken by a fault)
  'DISC-PUBLIC': rule('Discovery answers 200 JSON to anyone, without a client certificate', 'invalid_request', 'OIDC-DISCOVERY', 'OBDCR-GEN'),
  'DISC-ISSUER': rule('Discovery names the https issuer', 'invalid_request', 'OIDC-DISCOVERY'),
  'DISC-REGISTRATION-ENDPOINT': rule('Discovery advertises the https registration_endpoint that registers clients', 'invalid_request', 'OBDCR-GEN', 'OIDC-DISCOVERY'),
  'DISC-TOKEN-ENDPOINT': rule('Discovery advertises the https token_endpoint that issues tokens', 'invalid_request', 'OIDC-DISCOVERY', 'OBDCR-GEN'),
  'DISC-AUTH-METHODS': rule('Discovery advertises the token_endpoint_auth_methods the bank registers', 'invalid_request', 'OIDC-DISCOVERY', 'FAPI1-ADV-5.2.2'),
  'DISC-ALGS': rule('Discovery advertises the request object and ID token signing algorithms (never none or RS256)', 'invalid_request', 'OIDC-DISCOVERY', 'FAPI1-ADV-8.6'),
  'DISC-GRANT-TYPES': rule('Discovery advertises grant_types_supported, client_credentials among them', 'invalid_request', 'OIDC-DISCOVERY', 'OBDCR-GEN'),
  'DISC-RESPONSE-TYPES': rule('Discovery advertises response_types_supported: code or code id_token only', 'invalid_request', 'OIDC-DISCOVERY', 'FAPI1-ADV-5.2.2'),
  'DISC-SCOPES': rule('Discovery advertises scopes_supported, openid among them', 'invalid_request', 'OIDC-DISCOVERY'),

  // Transport: mutual TLS
  'TLS-CERT-REQUIRED': rule('A client certificate is presented on mTLS-protected endpoints', 'invalid_client', 'OBDCR-GEN', 'RFC8705-2'),
  'TLS-CERT-TRUSTED': rule('The client certificate chains to a trusted CA and is within its validity', 'invalid_client', 'OBDCR-GEN', 'RFC8705-2'),

  // The HTTP request carrying the registration JWS
  'HTTP-CONTENT-TYPE': rule('The body is sent as application/jwt or application/jose', 'invalid_client_metadata', 'OBDCR-POST'),
  'HTTP-CONTENT-TYPE-JWT': rule('Where the bank accepts application/jose, application/jwt is accepted as well', 'invalid_client_metadata', 'OBDCR-POST', 'OBDCR-3.1'),
  'HTTP-BODY-PRESENT': rule('The body is not empty', 'invalid_client_metadata', 'OBDCR-POST'),
  'HTTP-BODY-SIZE': rule('The body is within the size limit', 'invalid_client_metadata', 'OBDCR-POST'),
  'HTTP-REQUIRED-HEADERS': rule('The headers the bank documents as required are present (e.g. Accept: application/json, client_id)', 'invalid_request', 'OBDCR-POST'),
  'REG-ACCESS-TOKEN': rule('Where the bank protects POST /register with an access token: a live client_credentials token of its developer-portal application, named by the client_id header', 'invalid_token', 'RFC6750-3.1', 'OBDCR-POST'),

  // The request JWS
  'JWS-FORMAT': rule('The body is a compact JWS with a JSON header and a JSON object payload', 'invalid_client_metadata', 'RFC7515-4.1', 'OBDCR-REQ'),
  'JWS-ALG': rule('The request is signed with an allowed algorithm (not none, HS*, or RS256)', 'invalid_client_metadata', 'FAPI1-ADV-8.6', 'RFC8725-3.1', 'OBDCR-REQ'),
  'JWS-NO-X5': rule('The request JWS header carries no x5c or x5u', 'invalid_client_metadata', 'OBDCR-GEN'),
  'JWS-KID': rule('The request kid names a key in the software JWKS', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7515-4.1'),
  'JWS-SIGNATURE': rule('The request signature verifies against the software JWKS named in the SSA', 'invalid_client_metadata', 'OBDCR-REQ'),
  'JWKS-FETCH': rule('The software JWKS can be fetched from a trusted directory host', 'invalid_software_statement', 'OBDCR-SSA'),

  // The software statement
  'SSA-PRESENT': rule('software_statement is present and a string', 'invalid_software_statement', 'OBDCR-REQ', 'RFC7591-2.3'),
  'SSA-FORMAT': rule('The SSA is a compact JWS with a JSON payload', 'invalid_software_statement', 'OBDCR-SSA', 'RFC7591-2.3'),
  'SSA-ALG': rule('The SSA is signed with the directory algorithm (PS256), never none or HS*', 'invalid_software_statement', 'OBDCR-SSA', 'RFC8725-3.1'),
  'SSA-ISSUER': rule('The SSA is issued by a trusted directory', 'unapproved_software_statement', 'OBDCR-GEN', 'OBDCR-SSA'),
  'SSA-KID': rule('The SSA kid names a key in the directory JWKS', 'invalid_software_statement', 'OBDCR-SSA'),
  'SSA-SIGNATURE': rule('The SSA signature verifies against the directory JWKS', 'invalid_software_statement', 'OBDCR-SSA'),
  'SSA-EXP': rule('The SSA is not expired', 'invalid_software_statement', 'OBDCR-SSA', 'RFC7519-4.1'),
  'SSA-IAT': rule('The SSA is not issued in the future', 'invalid_software_statement', 'OBDCR-SSA', 'RFC7519-4.1'),
  'SSA-CONTACT': rule('Where the result is emailed: the SSA org_contacts name a contact of the bank\'s type with an email address', 'invalid_software_statement', 'OBDCR-SSA'),
  'SSA-CLAIMS': rule('The SSA carries software_id, software_jwks_endpoint, software_redirect_uris and software_roles', 'invalid_software_statement', 'OBDCR-SSA'),

  // The registration claims
  'REQ-ISS': rule('iss is present and equals the SSA software_id', 'invalid_client_metadata', 'OBDCR-REQ'),
  'REQ-ISS-FORMAT': rule('iss is a Base62 id of at most 18 (v3.1) or 22 (v3.2+) characters', 'invalid_client_metadata', 'OBDCR-REQ', 'OBDCR-3.1'),
  'REQ-AUD': rule('aud names this bank (its issuer URL or directory id)', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7519-4.1'),
  'REQ-EXP': rule('exp is present, an integer and in the future', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7519-4.1'),
  'REQ-EXP-RANGE': rule('exp is not absurdly far in the future', 'invalid_client_metadata', 'OBDCR-REQ'),
  'REQ-IAT': rule('iat is present, an integer and not in the future beyond the allowed skew', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7519-4.1'),
  'REQ-JTI': rule('jti is present and a non-empty string', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7519-4.1'),
  'REQ-JTI-REPLAY': rule('A jti is accepted once; replays are refused', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7519-4.1'),
  'REQ-REDIRECT-PRESENT': rule('redirect_uris is a non-empty array of strings', 'invalid_redirect_uri', 'OBDCR-REQ', 'RFC7591-2'),
  'REQ-REDIRECT-HTTPS': rule('Each redirect_uri is an absolute https URI', 'invalid_redirect_uri', 'OBDCR-REQ', 'FAPI1-ADV-5.2.2'),
  'REQ-REDIRECT-LOCALHOST': rule('No redirect_uri points at localhost or a loopback address', 'invalid_redirect_uri', 'OBDCR-REQ'),
  'REQ-REDIRECT-FRAGMENT': rule('No redirect_uri has a fragment', 'invalid_redirect_uri', 'OBDCR-REQ', 'RFC7591-2'),
  'REQ-REDIRECT-LENGTH': rule('Each redirect_uri is at most 256 characters', 'invalid_redirect_uri', 'OBDCR-REQ'),
  'REQ-REDIRECT-SUBSET': rule('Every redirect_uri is one of the SSA software_redirect_uris', 'invalid_redirect_uri', 'OBDCR-REQ', 'RFC7591-3.2.2'),
  'REQ-AUTH-METHOD': rule('token_endpoint_auth_method is one the bank supports', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7591-2'),
  'REQ-PRIVATE-KEY-JWT': rule('private_key_jwt (signed with PS256) is a token_endpoint_auth_method the bank registers', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7523-3'),
  'REQ-AUTH-SIGNING-ALG': rule('token_endpoint_auth_signing_alg is present and allowed for private_key_jwt / client_secret_jwt', 'invalid_client_metadata', 'OBDCR-REQ'),
  'REQ-TLS-DN-PRESENCE': rule('tls_client_auth_subject_dn (v3.1 tls_client_auth_dn) is present if and only if the method is tls_client_auth', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC8705-2'),
  'REQ-TLS-DN-MATCH': rule('The registered subject DN matches the presented transport certificate', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC8705-2'),
  'REQ-GRANT-TYPES': rule('grant_types are from the supported set', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7591-2'),
  'REQ-RESPONSE-TYPES': rule('response_types are code or code id_token', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7591-2'),
  'REQ-SOFTWARE-ID': rule('software_id, when present, equals the SSA software_id', 'invalid_client_metadata', 'OBDCR-REQ'),
  'REQ-SCOPE-FORMAT': rule('scope has the version\'s shape (v3.1 array, v3.2+ space-separated string)', 'invalid_client_metadata', 'OBDCR-REQ', 'OBDCR-3.1'),
  'REQ-SCOPE-REQUIRED': rule('scope includes the scopes the bank requires (e.g. openid)', 'invalid_client_metadata', 'OBDCR-REQ'),
  'REQ-SCOPE-ROLES': rule('Every scope is supported and allowed by the SSA software_roles', 'invalid_client_metadata', 'OBDCR-REQ'),
  'REQ-APPLICATION-TYPE': rule('application_type is web or mobile', 'invalid_client_metadata', 'OBDCR-REQ', 'RFC7591-2'),
  'REQ-ID-TOKEN-ALG': rule('id_token_signed_response_alg is an allowed algorithm', 'invalid_client_metadata', 'OBDCR-REQ', 'FAPI1-ADV-8.6'),
  'REQ-REQUEST-OBJECT-ALG': rule('request_object_signing_alg is an allowed algorithm', 'invalid_client_metadata', 'OBDCR-REQ', 'FAPI1-ADV-8.6'),
  'REQ-JWKS-EXCLUSIVE': rule('jwks and jwks_uri are not both given', 'invalid_client_metadata', 'RFC7591-2'),
  'REQ-CLIENT-ID-PATH': rule('On PUT, a client_id claim equals the ClientId in the path', 'invalid_client_metadata', 'OBDCR-PUT', 'RFC7592-2'),

  // The registration answer (behaviour rules: never refusals, but each can be broken by a fault)
  'RES-CREATED-201': rule('A valid registration is answered 201 Created', 'invalid_request', 'OBDCR-POST', 'RFC7591-3.2.1'),
  'RES-CLIENT-JSON': rule('The registration answer is an application/json object, not a JWS', 'invalid_request', 'RFC7591-3.2.1', 'OBDCR-POST'),
  'RES-METADATA': rule('The registration answer returns the registered metadata: redirect_uris, auth method, grant types, software_id, subject DN', 'invalid_request', 'RFC7591-3.2.1', 'OBDCR-POST'),
  'RES-SECRET': rule('client_secret, with client_secret_expires_at, is issued to client_secret_* clients only', 'invalid_request', 'RFC7591-3.2.1', 'OBDCR-POST'),

  // The token endpoint: client_credentials with client authentication (RFC 6749, RFC 7523, RFC 8705)
  'TOKEN-REQUEST-FORMAT': rule('The token request is an application/x-www-form-urlencoded body within the size limit, each parameter at most once', 'invalid_request', 'RFC6749-3.2'),
  'TOKEN-GRANT-TYPE': rule('grant_type is client_credentials', 'unsupported_grant_type', 'RFC6749-4.4.2'),
  'TOKEN-GRANT-REGISTERED': rule('The client registered the client_credentials grant type', 'unauthorized_client', 'RFC6749-5.2', 'RFC7591-2'),
  'TOKEN-AUTH-METHODS': rule('The token endpoint authenticates clients with every token_endpoint_auth_method the bank advertises and registers', 'invalid_client', 'RFC8414-2', 'OIDC-DISCOVERY'),
  'TOKEN-CLIENT-AUTH': rule('The client authenticates with exactly one method, the one it registered, as a known client', 'invalid_client', 'RFC6749-2.3', 'OBDCR-REQ'),
  'TOKEN-TLS-DN': rule('tls_client_auth: the certificate subject DN equals the registered tls_client_auth_subject_dn', 'invalid_client', 'RFC8705-2'),
  'TOKEN-ASSERTION-ALG': rule('The client assertion is signed with the registered algorithm, never none or HS*', 'invalid_client', 'RFC7523-3', 'RFC8725-3.1'),
  'TOKEN-ASSERTION-SIGNATURE': rule('The client assertion verifies against a signing key in the client software JWKS', 'invalid_client', 'RFC7523-3'),
  'TOKEN-ASSERTION-CLAIMS': rule('The client assertion has iss = sub = client_id, aud the token endpoint or issuer, a short future exp and a jti', 'invalid_client', 'RFC7523-3'),
  'TOKEN-ASSERTION-REPLAY': rule('A client assertion jti is accepted once', 'invalid_client', 'RFC7523-3'),
  'TOKEN-SECRET': rule('client_secret_basic / client_secret_post: the secret equals the issued one (constant-time compare)', 'invalid_client', 'RFC6749-2.3.1'),
  'TOKEN-SCOPE': rule('Every requested scope is one the client registered; an empty scope grants the registered ones', 'invalid_scope', 'RFC6749-3.3'),
  'TOKEN-CERT-BOUND': rule('A token issued over mTLS is bound to the certificate (cnf x5t#S256)', 'invalid_request', 'RFC8705-3'),

  'TOKEN-NO-STORE': rule('A token answer carries Cache-Control: no-store (and Pragma: no-cache)', 'invalid_request', 'RFC6749-5.1'),
  'TOKEN-RESPONSE': rule('A granted token request answers 200 with access_token, token_type Bearer and integer expires_in', 'invalid_request', 'RFC6749-5.1', 'OBDCR-GEN'),

  // Client management with a bearer token (RFC 7592, OBIE GET/PUT/DELETE)
  'MGT-BEARER-REQUIRED': rule('GET/PUT/DELETE carry Authorization: Bearer with a non-empty token', 'invalid_token', 'RFC6750-3', 'OBDCR-GET'),
  'MGT-TOKEN-VALID': rule('The bearer token was issued by this bank, is not expired and not revoked', 'invalid_token', 'RFC6750-3.1', 'OBDCR-GET'),
  'MGT-TOKEN-CERT-BOUND': rule('A certificate-bound token is presented with the same client certificate', 'invalid_token', 'RFC8705-3'),
  'MGT-UNKNOWN-CLIENT': rule('An unknown ClientId answers 401 with a Bearer invalid_token challenge and revokes the presented token at once', 'invalid_token', 'OBDCR-GET', 'RFC7592-2.1'),
  'MGT-CLIENT-MATCH': rule('The token was issued to the client named in the path (otherwise 403)', 'access_denied', 'OBDCR-GET', 'RFC7592-2'),
  'MGT-METHOD-ALLOWED': rule('GET / PUT / DELETE {register}/{ClientId} is one the bank supports (405 otherwise)', 'method_not_allowed', 'OBDCR-DELETE', 'RFC7592-2'),
  'MGT-GET-CONFIG': rule('The GET answer is the client\'s configuration in the registration answer\'s form (RFC 7591 metadata, not only the credentials)', 'invalid_request', 'RFC7592-2.1', 'OBDCR-GET'),
  'MGT-UNKNOWN-REVOKES': rule('The access token presented for an unknown ClientId is revoked at once', 'invalid_token', 'OBDCR-GET'),
  'MGT-GET': rule('GET {register}/{ClientId} with the client\'s own token answers 200 with its current configuration', 'not_found', 'OBDCR-GET', 'RFC7592-2.1'),
  'MGT-PUT': rule('PUT {register}/{ClientId} with a valid request answers 200 with the updated client', 'invalid_request', 'OBDCR-PUT', 'RFC7592-2'),
  'MGT-DELETE': rule('DELETE {register}/{ClientId} answers 204 and the client is gone (GET / PUT on it answer 401)', 'invalid_request', 'OBDCR-DELETE', 'RFC7592-2.3'),
  'PUT-SOFTWARE-ID': rule('A PUT never changes the client\'s software_id: it stays the SSA software_id', 'invalid_client_metadata', 'OBDCR-PUT', 'RFC7591-2'),
  'PUT-KEEPS-TOKENS': rule('A successful PUT leaves the client\'s existing access tokens valid', 'invalid_request', 'OBDCR-PUT'),
  'DEL-REVOKES-TOKENS': rule('DELETE removes the client and revokes all its access tokens at once', 'invalid_request', 'OBDCR-DELETE', 'RFC7592-2.3'),
  // The rfc7591 dialect: plain RFC 7591 registration (JSON client metadata) and RFC 7592 management with a registration access token
  'RFC-CONTENT-TYPE': rule('The registration (and PUT) body is sent as application/json', 'invalid_request', 'RFC7591-3.1', 'RFC7592-2.2'),
  'RFC-BODY-JSON': rule('The body is one JSON object within the size limit', 'invalid_request', 'RFC7591-3.1'),
  'RFC-INITIAL-TOKEN': rule('Where the server requires one: POST carries Authorization: Bearer with the initial access token', 'invalid_token', 'RFC7591-3', 'RFC6750-3.1'),
  'RFC-METADATA-FORMAT': rule('Each understood client metadata field has its RFC type (strings, arrays of strings, absolute URLs, a public JWK Set)', 'invalid_client_metadata', 'RFC7591-2', 'RFC7591-3.2.2'),
  'RFC-REDIRECT-REQUIRED': rule('A client of a redirect-based grant (authorization_code, implicit) registers redirect_uris', 'invalid_redirect_uri', 'RFC7591-2', 'RFC7591-3.2.2'),
  'RFC-REDIRECT-URI': rule('Each redirect_uri is an absolute URI without a fragment', 'invalid_redirect_uri', 'RFC6749-3.1.2', 'RFC7591-3.2.2'),
  'RFC-METADATA-VALUES': rule('grant_types, response_types, scope and token_endpoint_auth_signing_alg are ones the server supports; private_key_jwt comes with keys', 'invalid_client_metadata', 'RFC7591-2', 'RFC7591-3.2.2'),
  'RFC-GRANT-RESPONSE': rule('grant_types and response_types are consistent (authorization_code with code, implicit with token)', 'invalid_client_metadata', 'RFC7591-2.1'),
  'RFC-RAT': rule('The registration access token is the live one of the client in the path (unknown, deleted, rotated or other tokens: 401)', 'invalid_token', 'RFC7592-2', 'RFC6750-3.1'),
  'RFC-PUT-CLIENT-ID': rule('A PUT carries client_id, equal to the client of the path', 'invalid_request', 'RFC7592-2.2'),
  'RFC-PUT-READ-ONLY': rule('A PUT carries none of registration_access_token, registration_client_uri, client_secret_expires_at, client_id_issued_at', 'invalid_request', 'RFC7592-2.2'),
  'RFC-PUT-SECRET': rule('A client_secret in a PUT equals the issued one (a client never chooses its secret)', 'invalid_request', 'RFC7592-2.2'),
  // The obf dialect: Open Finance Brasil DCR 1.0 (JSON metadata with a directory SSA over mTLS; RFC 7592 management with the registration access token)
  'OBF-SSA-REQUIRED': rule('The registration carries a software_statement signed PS256 by the Directory of Participants', 'invalid_software_statement', 'OBF-DCR-7.1'),
  'OBF-SSA-CLAIMS': rule('The software_statement carries software_id, org_id, software_jwks_uri, software_redirect_uris and software_statement_roles', 'invalid_software_statement', 'OBF-DCR-8'),
  'OBF-SSA-IAT-AGE': rule('The software_statement was issued (iat) not more than 5 minutes before the request', 'invalid_software_statement', 'OBF-DCR-7.1'),
  'OBF-NO-JWKS': rule('The registration declares its keys by reference (jwks_uri), never by value (jwks)', 'invalid_client_metadata', 'OBF-DCR-7.1'),
  'OBF-JWKS-URI': rule('jwks_uri, when given, equals the software_jwks_uri of the software_statement', 'invalid_client_metadata', 'OBF-DCR-7.1'),
  'OBF-REDIRECT-SUBSET': rule('redirect_uris are given and each is one of the software_redirect_uris of the software_statement', 'invalid_redirect_uri', 'OBF-DCR-7.1'),
  'OBF-SCOPE-ROLES': rule('Every requested scope is allowed by an active role of software_statement_roles (omitted: the full allowed set)', 'invalid_client_metadata', 'OBF-DCR-7.1', 'OBF-DCR-7.2'),
  'OBF-TLS-DN-CLAIM': rule('tls_client_auth is registered with tls_client_auth_subject_dn only (no other RFC 8705 2.1.2 parameter)', 'invalid_client_metadata', 'OBF-DCR-7.1', 'RFC8705-2'),
  'OBF-TLS-DN-FORMAT': rule('tls_client_auth_subject_dn is strict RFC 4514: the RFC 4514 descriptors, every other attribute as a dotted OID with its #hex ASN.1 value', 'invalid_client_metadata', 'OBF-DCR-7.1.2', 'RFC4514-3'),
  'OBF-TLS-DN-MATCH': rule('tls_client_auth_subject_dn matches the certificate subject by RFC 4517 distinguishedNameMatch', 'invalid_client_metadata', 'OBF-DCR-7.1', 'RFC4517-4.2.15'),
  'OBF-CERT-UID': rule('The UID of the client certificate is the software_id of the software_statement', 'invalid_client_metadata', 'OBF-DCR-7.1'),
  'OBF-CERT-ORG': rule('The organizationIdentifier of the client certificate is OFBBR- followed by the org_id of the software_statement', 'invalid_client_metadata', 'OBF-DCR-7.1', 'OBF-DCR-9.3'),
} as const satisfies Record<string, RuleDescriptor>;

export type RuleId = keyof typeof rules;

export function isRuleId(value: string): value is RuleId {
  return Object.hasOwn(rules, value);
}

/** The error_description convention: `<RULE-ID>: <what was wrong>`. */
export function describe(id: RuleId, detail: string): string {
  const text = `${id}: ${detail}`;
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/** Reads the rule id back out of an error_description written by `describe`. */
export function ruleIdOf(description: unknown): RuleId | undefined {
  if (typeof description !== 'string') return undefined;
  const m = /^([A-Z0-9-]+):/.exec(description);
  return m && isRuleId(m[1]!) ? m[1] : undefined;
}
