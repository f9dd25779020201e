import type { SpecRef } from '../../catalogue/references';

/**
 * The normative sentence each check enforces, quoted from the spec, so a failure can say which
 * sentence it relies on ("a check fails only on what a spec forbids, and its message quotes that
 * spec sentence"). Texts are verbatim; "..." marks an elision, and table cells of the OBIE data
 * dictionary are quoted as "<claim> <occurrence> ... <definition>". The first quote of a check is
 * the one a failure carries; the others are shown beside it.
 *
 * Sources: RFC 6749, 6750, 7515, 7519, 7523, 7591, 7592, 8414, 8705, 8725; OpenID Connect Core 1.0
 * section 9 and Discovery 1.0 (incorporating errata set 2); FAPI 1.0 Part 2: Advanced (final); the
 * OBIE Dynamic Client Registration v3.3 and v3.1 specifications (dcr-docs-pub).
 */
export interface Quote {
  /** A code of catalogue/references.ts: the section the sentence is in. */
  readonly ref: SpecRef;
  readonly text: string;
  /**
   * How the sentence applies, when the check is the pack's reading of it (a near-miss probe, a
   * value the spec does not name): one short clause shown after the quote.
   */
  readonly why?: string;
}

/** Longest quote text: a quote is a sentence or two, never a section. */
export const QUOTE_MAX = 300;


export const q = (ref: SpecRef, text: string, why?: string): Quote => (why ? { ref, text, why } : { ref, text });

// OBIE DCR v3.3 (v3.1 where named): general, endpoints and authentication.
export const OB = {
  discovery: q('OBDCR-GEN', "The URL of the registration end-point should be advertised on the ASPSP's OIDC Discovery Endpoint using the registration_endpoint claim ..."),
  advertised: q('OBDCR-GEN', "The ASPSP may have a different URL for the endpoints as long as it is advertised appropriately in the ASPSP's Discovery endpoint."),
  sameUrl: q('OBDCR-GEN', 'The ASPSP must have the same URL for all the HTTP operations on that endpoint.'),
  mtls: q('OBDCR-GEN', 'These APIs rely on TLS Mutual Authentication for authenticating the TPP.'),
  ccGrant: q('OBDCR-GEN', 'TPPs must authenticate themselves with a client credentials grant in order to get access to the GET, PUT and DELETE operations.'),
  jwks: q('OBDCR-GEN', 'In order to verify the contents of the request and the SSA the ecosystem has to rely on a set of JSON Web Key Stores (JWKS) that store the public part of key used to sign the JWT.'),
  jwksAgreed: q('OBDCR-GEN', 'The structure and URL of the JWKS must be agreed between the SSA issuer and its consumers (TPPs and ASPSPs).'),
  noEmbeddedKey: q('OBDCR-GEN', 'The public key must not be embedded in the payload itself (e.g. by using x5c claim in the JOSE header)'),
  noEmbeddedUrl: q('OBDCR-GEN', 'The URL for the JWKS must not be embedded in the payload itself (e.g. by using x5u claim in the JOSE header)'),
  trusted: q('OBDCR-SSA', 'An ASPSP must specify on its Developer Portal the parties that it trusts and accepts SSAs from.'),
  selfSigned: q('OBDCR-SSA', 'Where ASPSPs accept self-signed SSAs, they must specify this on their Developer Portal along with the claims that it expects to be included in the SSA.'),
  postJws: q('OBDCR-POST', 'The TPP submits a JWS payload that describes the characteristics of the client to be created.'),
  postOk: q('OBDCR-POST', 'If client creation is successful, the ASPSP responds with a JSON payload that describes the client that was created.'),
  getOk: q('OBDCR-GET', 'If the request is successful and the identifier matches the client to whom the Client Credentials grant access token was issued, the ASPSP must return an object of type OBClientRegistrationRequest1.'),
  getUnknown: q('OBDCR-GET', 'If the ClientId is unknown, the ASPSP responds with an Unauthorized status code and immediately revokes the access token.'),
  putJws: q('OBDCR-PUT', 'The TPP submits the ClientId path parameter and a JWS payload that describes the characteristics of the client to be modified. This must include all the claims - including ones that will not be modified.'),
  putOk: q('OBDCR-PUT', 'If client modification is successful, the ASPSP responds with a JSON payload that describes the client that was created.'),
  putKeepsTokens: q('OBDCR-PUT', 'The ASPSP must not invalidate long lived access tokens that are issued to the client.'),
  putUnknown: q('OBDCR-PUT', 'If the ClientId is unknown, the ASPSP responds with an Unauthorized status code and immediately revokes the access token.'),
  deleteOk: q('OBDCR-DELETE', 'If the request is successful and the client Id matches the client to whom the client-credentials grant access token was issued, the ASPSP must delete the client and invalidate long lived access tokens that were issued to the client.'),
  deleteUnknown: q('OBDCR-DELETE', 'If the ClientId is unknown, the ASPSP responds with an Unauthorized status code and immediately revokes the access token.'),
};

// OBIE DCR v3.3 data dictionary (OBClientRegistrationRequest1), and v3.1 where it differs.
export const DD = {
  sameClaims: q('OBDCR-REQ', 'The API responds with the same set of claims, but as part of a JSON object. It includes all the claims in the software_statement provided in the request, but each of these is flattened out as a top-level attribute of the JSON object.'),
  wellKnown: q('OBDCR-REQ', "Prior to making a request, the TPP must query the ASPSP's OIDC .well-known end-point to identify the subset of code values that are supported by the ASPSP."),
  unsupported: q('OBDCR-REQ', 'If the requests contains a value that the ASPSP does not support, the ASPSP must either: reject the request with an appropriate error message and error code ... accept the request and modify the value of the field to one that it supports. It must return the modified value as part of the response.'),
  issSoftwareId: q('OBDCR-REQ', 'iss 1..1 ... Identifier for the TPP. ... The value must be a Base62 encoded GUID. For SSAs issued by the OB Directory, this must be the software_id.'),
  issPattern: q('OBDCR-REQ', 'iss 1..1 ... The value must be a Base62 encoded GUID. For SSAs issued by the OB Directory, this must be the software_id. String (22) ... ^[0-9a-zA-Z]{1,22}$'),
  issPattern31: q('OBDCR-3.1', 'iss 1..1 ... The value must be a Base62 encoded GUID. For SSAs issued by the OB Directory, this must be the software_id String (18) ... ^[0-9a-zA-Z]{1,18}$'),
  iat: q('OBDCR-REQ', 'iat 1..1 ... The time at which the request was issued by the TPP expressed as "seconds since the epoch"'),
  exp: q('OBDCR-REQ', 'An ASPSP processing the request must reject requests where the current time is greater than the time specified in the claim.'),
  expRequired: q('OBDCR-REQ', 'exp 1..1 ... The time at which the request expires expressed as seconds since the epoch. An ASPSP processing the request must reject requests where the current time is greater than the time specified in the claim.'),
  aud: q('OBDCR-REQ', 'aud 1..1 ... The audience for the request. This should be the unique identifier for the ASPSP issued by the issuer of the software statement.'),
  jti: q('OBDCR-REQ', 'jti 1..1 ... A unique identifier for the JWT. The value must be a UUIDv4 GUID.'),
  redirectSubset: q('OBDCR-REQ', 'If the software statement defines a master set of redirect URIs, this must match or be a subset of the redirect URIs in the SSA.'),
  redirectHttps: q('OBDCR-REQ', 'redirect_uris ... Each of the URIs must adhere to the following rules: - The URI MUST use the https scheme'),
  redirectLocalhost: q('OBDCR-REQ', 'redirect_uris ... Each of the URIs must adhere to the following rules: ... - The URI MUST NOT contain a host with a value of localhost'),
  redirectOmitted: q('OBDCR-REQ', 'If the request_uris metadata element is omitted from the request, the entire contents of the software_redirect_uris element in the SSA are considered to be requested by the TPP.'),
  redirectLength: q('OBDCR-REQ', 'redirect_uris 1..* ... Registered URIs the TPP will use to interact with the ASPSP AS. ... String[] ... Each string upto 256'),
  authMethods: q('OBDCR-REQ', 'token_endpoint_auth_method 1..1 ... Specifies which Token endpoint authentication method the TPP wants to use ... private_key_jwt client_secret_jwt client_secret_basic client_secret_post tls_client_auth'),
  pkjwt: q('OBDCR-REQ', 'private_key_jwt if requested the OP should extract the TPPs JWKS location from the software statement assertion included. It should be noted that only tls_client_auth and private_key_jwt are FAPI compliant.'),
  signingAlg: q('OBDCR-REQ', 'token_endpoint_auth_signing_alg ... Must be specified if token_endpoint_auth_method is private_key_jwt or client_secret_jwt'),
  grantTypes: q('OBDCR-REQ', 'grant_types 1..* ... A JSON array specifying what the TPP can request to be supplied to the token endpoint ... client_credentials authorization_code refresh_token urn:openid:params:grant-type:ciba'),
  responseTypes: q('OBDCR-REQ', 'response_types 0..* ... ASPSPs MAY reject the request if any of the requested response_types are not supported by it (as advertised at its .well-known end-points) ... code, code id_token'),
  softwareId: q('OBDCR-REQ', 'If specified, the software_id in the request MUST match the software_id specified in the SSA.'),
  scope: q('OBDCR-REQ', 'scope 1..1 ... Scopes the client is asking for (if not specified, default scopes are assigned by the AS). This consists of a list scopes separated by spaces. String(256)'),
  scope31: q('OBDCR-3.1', 'scope 0..* ... Scopes the client is asking for (if not specified, default scopes are assigned by the AS) String[] (32)'),
  scopeSubset: q('OBDCR-REQ', 'Specified in the scope claimed. This must be a subset of the scopes in the SSA', 'the Registration Request column of the Data Mapping table, which the spec calls non-normative'),
  softwareStatement: q('OBDCR-REQ', 'software_statement 1..1 ... Software statement assertion issued by the issuer.'),
  applicationType: q('OBDCR-REQ', 'application_type 1..1 ... String (32) web mobile'),
  idTokenAlg: q('OBDCR-REQ', 'id_token_signed_response_alg 1..1 ... Algorithm which the TPP expects to sign the id_token, if an id_token is returned. ... Supported values as constrained by FAPI-RW'),
  requestObjectAlg: q('OBDCR-REQ', 'request_object_signing_alg 1..1 ... Algorithm which the TPP expects to sign the request object ... Supported values as constrained by FAPI-RW'),
  tlsDnIff: q('OBDCR-REQ', 'tls_client_auth_subject_dn ... This value must be set iff token_endpoint_auth_method is set to tls_client_auth.'),
  tlsDn: q('OBDCR-REQ', 'The tls_client_auth_subject_dn claim MUST contain the DN of the certificate that the TPP will present to the ASPSP token endpoint.'),
  tlsDnPartial: q('OBDCR-REQ', 'The ASPSP may decide to match only a part of the DN so that the match is based only on the part of the DN that will be immutable for the TPP across all EIDAS certificates issued to it.'),
  clientSecret: q('OBDCR-REQ', 'client_secret 0..1 ... A shared secret generated by the ASPSP. The ASPSP may choose not to generate the client_secret if it does not support client authentication mechanisms that require it. String (36)'),
  secretExpires: q('OBDCR-REQ', 'client_secret_expires_at ... The value must be populated if a client_secret is returned. Set to zero if the client_secret does not expire.'),
};

export const RFC7591 = {
  created: q('RFC7591-3.2.1', 'The successful registration response uses an HTTP 201 Created status code with a body of type "application/json" consisting of a single JSON object [RFC7159] with all parameters as top-level members of the object.'),
  allMetadata: q('RFC7591-3.2.1', 'Additionally, the authorization server MUST return all registered metadata about this client, including any fields provisioned by the authorization server itself.'),
  fromSsa: q('RFC7591-3.2.1', 'Client metadata elements used from the software statement MUST also be returned directly as top-level client metadata values in the registration response ...'),
  secretExpires: q('RFC7591-3.2.1', 'client_secret_expires_at REQUIRED if "client_secret" is issued. Time at which the client secret will expire or 0 if it will not expire.'),
  secretUse: q('RFC7591-3.2.1', 'client_secret OPTIONAL. OAuth 2.0 client secret string. ... This value is used by confidential clients to authenticate to the token endpoint, as described in OAuth 2.0 [RFC6749], Section 2.3.1.'),
  invalidRedirect: q('RFC7591-3.2.2', 'invalid_redirect_uri The value of one or more redirection URIs is invalid.'),
  redirectUris: q('RFC7591-2', 'redirect_uris ... clients using flows with redirection MUST register their redirection URI values.'),
  jwksBoth: q('RFC7591-2', 'The "jwks_uri" and "jwks" parameters MUST NOT both be present in the same request or response.'),
  softwareIdSame: q('RFC7591-2', 'The "software_id" SHOULD remain the same across multiple updates or versions of the same piece of software.'),
  ssaSigned: q('RFC7591-2.3', 'When presented to the authorization server as part of a client registration request, the software statement MUST be digitally signed or MACed using JSON Web Signature (JWS) [RFC7515] ...'),
  ssaIss: q('RFC7591-2.3', 'the software statement ... MUST contain an "iss" (issuer) claim denoting the party attesting to the claims in the software statement.'),
};

export const RFC7592 = {
  readOk: q('RFC7592-2.1', 'Upon successful read of the information for a currently active client, the authorization server responds with an HTTP 200 OK with content type of "application/json" and a payload as described in Section 3.'),
  sameClientId: q('RFC7592-2.1', 'The value of the "client_id" MUST NOT change from the initial registration response.'),
  readUnknown: q('RFC7592-2.1', 'If the client does not exist on this server, the server MUST respond with HTTP 401 Unauthorized and the registration access token used to make this request SHOULD be immediately revoked.'),
  readInvalidToken: q('RFC7592-2.1', 'If the registration access token used to make this request is not valid, the server MUST respond with an error as described in the OAuth Bearer Token Usage specification [RFC6750].'),
  readForbidden: q('RFC7592-2.1', 'If the client does not have permission to read its record, the server MUST return an HTTP 403 Forbidden.'),
  updateOk: q('RFC7592-2.2', 'Upon successful update, the authorization server responds with an HTTP 200 OK message with content type "application/json" and a payload as described in Section 3.'),
  updateClientId: q('RFC7592-2.2', 'The client MUST include its "client_id" field in the request, and it MUST be the same as its currently issued client identifier.'),
  updateForbidden: q('RFC7592-2.2', 'If the client is not allowed to update its records, the server MUST respond with HTTP 403 Forbidden.'),
  updateInvalid: q('RFC7592-2.2', 'If the client attempts to set an invalid metadata field and the authorization server does not set a default value, the authorization server responds with an error as described in [RFC7591].'),
  deleted: q('RFC7592-2.3', 'If a client has been successfully deprovisioned, the authorization server MUST respond with an HTTP 204 No Content message.'),
  deleteForbidden: q('RFC7592-2.3', 'If the client is not allowed to delete itself, the server MUST respond with HTTP 403 Forbidden.'),
};

export const JWT = {
  exp: q('RFC7519-4.1', 'The "exp" (expiration time) claim identifies the expiration time on or after which the JWT MUST NOT be accepted for processing.'),
  nbf: q('RFC7519-4.1', 'The "nbf" (not before) claim identifies the time before which the JWT MUST NOT be accepted for processing.'),
  iat: q('RFC7519-4.1', 'The "iat" (issued at) claim identifies the time at which the JWT was issued. This claim can be used to determine the age of the JWT.'),
  aud: q('RFC7519-4.1', 'If the principal processing the claim does not identify itself with a value in the "aud" claim when this claim is present, then the JWT MUST be rejected.'),
  jti: q('RFC7519-4.1', 'The "jti" (JWT ID) claim provides a unique identifier for the JWT. ... The "jti" claim can be used to prevent the JWT from being replayed.'),
  kid: q('RFC7515-4.1', 'The "kid" (key ID) Header Parameter is a hint indicating which key was used to secure the JWS. ... When used with a JWK, the "kid" value is used to match a JWK "kid" parameter value.'),
  jwk: q('RFC7515-4.1', 'The "jwk" (JSON Web Key) Header Parameter is the public key that corresponds to the key used to digitally sign the JWS.'),
  x5c: q('RFC7515-4.1', 'The "x5c" (X.509 certificate chain) Header Parameter contains the X.509 public key certificate or certificate chain [RFC5280] corresponding to the key used to digitally sign the JWS.'),
  algSet: q('RFC8725-3.1', 'Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use any other algorithms when performing cryptographic operations.'),
  oneAlgPerKey: q('RFC8725-3.1', 'The library MUST ensure that the "alg" or "enc" header specifies the same algorithm that is used for the cryptographic operation. Moreover, each key MUST be used with exactly one algorithm, and this MUST be checked when the cryptographic operation is performed.'),
};

export const FAPI = {
  psOrEs: q('FAPI1-ADV-8.6', 'For JWS, both clients and authorization servers: 1. shall use PS256 or ES256 algorithms; 2. should not use algorithms that use RSASSA-PKCS1-v1_5 (e.g. RS256); 3. shall not use none;'),
  notRs256: q('FAPI1-ADV-8.6', 'For JWS, both clients and authorization servers: ... should not use algorithms that use RSASSA-PKCS1-v1_5 (e.g. RS256); ... shall not use none;'),
  notNone: q('FAPI1-ADV-8.6', 'For JWS, both clients and authorization servers: ... shall not use none;'),
  senderConstrained: q('FAPI1-ADV-5.2.2', 'In addition, the authorization server ... shall only issue sender-constrained access tokens;'),
  clientAuth: q('FAPI1-ADV-5.2.2', 'shall authenticate the confidential client using one of the following methods ...: 1. tls_client_auth or self_signed_tls_client_auth as specified in section 2 of [MTLS]; 2. private_key_jwt as specified in section 9 of [OIDC];'),
  responseType: q('FAPI1-ADV-5.2.2', 'shall require 1. the response_type value code id_token or 2. the response_type value code in conjunction with the response_mode value jwt;'),
  noPublicClients: q('FAPI1-ADV-5.2.2', 'In addition, the authorization server ... shall not support public clients;'),
};

export const MTLS = {
  handshake: q('RFC8705-2', 'In order to utilize TLS for OAuth client authentication, the TLS connection between the client and the authorization server MUST have been established or re-established with mutual-TLS X.509 certificate authentication ...'),
  noCert: q('RFC8705-2', "If no certificate is presented, or that which is presented doesn't match that which is expected for the given client_id, the authorization server returns a normal OAuth 2.0 error response per Section 5.2 of [RFC6749] with the invalid_client error code ..."),
  chain: q('RFC8705-2', 'It relies on a validated certificate chain [RFC5280] and a single subject distinguished name (DN) or a single subject alternative name (SAN) to authenticate the client.'),
  subject: q('RFC8705-2', 'The client is successfully authenticated if the subject information in the certificate matches the single expected subject configured or registered for that particular client ...'),
  bound: q('RFC8705-3', 'The protected resource MUST obtain, from its TLS implementation layer, the client certificate used for mutual TLS and MUST verify that the certificate matches the certificate associated with the access token. If they do not match, the resource access attempt MUST be rejected ...'),
  boundMetadata: q('RFC8705-3', 'tls_client_certificate_bound_access_tokens OPTIONAL. Boolean value indicating server support for mutual-TLS client certificate-bound access tokens. If omitted, the default value is false.'),
};

export const BEARER = {
  challenge: q('RFC6750-3', 'If the protected resource request does not include authentication credentials or does not contain an access token that enables access to the protected resource, the resource server MUST include the HTTP "WWW-Authenticate" response header field ...'),
  invalidToken: q('RFC6750-3.1', 'invalid_token The access token provided is expired, revoked, malformed, or invalid for other reasons. The resource SHOULD respond with the HTTP 401 (Unauthorized) status code.'),
  insufficient: q('RFC6750-3.1', 'insufficient_scope The request requires higher privileges than provided by the access token. The resource server SHOULD respond with the HTTP 403 (Forbidden) status code ...'),
};

export const OAUTH = {
  tokenResponse: q('RFC6749-5.1', 'access_token REQUIRED. The access token issued by the authorization server. token_type REQUIRED. The type of the token issued as described in Section 7.1. Value is case insensitive.'),
  invalidClient: q('RFC6749-5.2', 'invalid_client Client authentication failed ... If the client attempted to authenticate via the "Authorization" request header field, the authorization server MUST respond with an HTTP 401 (Unauthorized) status code and include the "WWW-Authenticate" response header field ...'),
  basic: q('RFC6749-2.3.1', 'The authorization server MUST support the HTTP Basic authentication scheme for authenticating clients that were issued a client password.'),
  fragment: q('RFC6749-3.1.2', 'The redirection endpoint URI MUST be an absolute URI as defined by [RFC3986] Section 4.3. ... The endpoint URI MUST NOT include a fragment component.'),
  exactMatch: q('RFC6749-3.1.2.3', 'If the client registration included the full redirection URI, the authorization server MUST compare the two URIs using simple string comparison as defined in [RFC3986] Section 6.2.1.'),
};

export const ASSERTION = {
  sub: q('RFC7523-3', 'The JWT MUST contain a "sub" (subject) claim ... For client authentication, the subject MUST be the "client_id" of the OAuth client.'),
  aud: q('RFC7523-3', 'The JWT MUST contain an "aud" (audience) claim containing a value that identifies the authorization server as an intended audience. ... The authorization server MUST reject any JWT that does not contain its own identity as the intended audience.'),
  exp: q('RFC7523-3', 'The authorization server MUST reject any JWT with an expiration time that has passed, subject to allowable clock skew between systems.'),
  signature: q('RFC7523-3', 'The JWT MUST be digitally signed or have a Message Authentication Code (MAC) applied by the issuer. The authorization server MUST reject JWTs with an invalid signature or MAC.'),
  invalidClient: q('RFC7523-3.2', 'The value of the "error" parameter MUST be the "invalid_client" error code.'),
  jtiOnce: q('OIDC-CORE-9', 'jti REQUIRED. JWT ID. A unique identifier for the token, which can be used to prevent reuse of the token. These tokens MUST only be used once, unless conditions for reuse were negotiated between the parties ...'),
};

export const DISCOVERY = {
  response: q('OIDC-DISCOVERY', 'A successful response MUST use the 200 OK HTTP status code and return a JSON object using the application/json content type that contains a set of Claims as its members that are a subset of the Metadata values defined in Section 3.'),
  registration: q('OIDC-DISCOVERY', "registration_endpoint RECOMMENDED. URL of the OP's Dynamic Client Registration Endpoint [OpenID.Registration], which MUST use the https scheme."),
  token: q('OIDC-DISCOVERY', "token_endpoint URL of the OP's OAuth 2.0 Token Endpoint [OpenID.Core]. This is REQUIRED unless only the Implicit Flow is used. This URL MUST use the https scheme ..."),
  issuer: q('OIDC-DISCOVERY', 'issuer REQUIRED. URL using the https scheme with no query or fragment components that the OP asserts as its Issuer Identifier.'),
  authMethods: q('OIDC-DISCOVERY', 'token_endpoint_auth_methods_supported OPTIONAL. JSON array containing a list of Client Authentication methods supported by this Token Endpoint.'),
  grantTypes: q('OIDC-DISCOVERY', 'grant_types_supported OPTIONAL. JSON array containing a list of the OAuth 2.0 Grant Type values that this OP supports.'),
  responseTypes: q('OIDC-DISCOVERY', 'response_types_supported REQUIRED. JSON array containing a list of the OAuth 2.0 response_type values that this OP supports.'),
  openid: q('OIDC-DISCOVERY', 'scopes_supported RECOMMENDED. JSON array containing a list of the OAuth 2.0 [RFC6749] scope values that this server supports. The server MUST support the openid scope value.'),
  asAuthMethods: q('RFC8414-2', 'token_endpoint_auth_methods_supported OPTIONAL. JSON array containing a list of client authentication methods supported by this token endpoint.'),
};

const REDIRECT_NEAR_MISS = 'a URI one character, a case, a slash or a query away from an SSA URI is another URI: it does not match one of them';
const DN_NEAR_MISS = 'a DN with RDNs removed or a value extended is not the DN of the certificate';

/** The quote(s) of every check, by check id; the first is the one a failure carries. */
export const quotes: Readonly<Record<string, readonly [Quote, ...Quote[]]>> = {
  // Discovery
  'DISC-REACHABLE': [DISCOVERY.response],
  'DCR-001-REG-ENDPOINT': [OB.discovery, DISCOVERY.registration],
  'DISC-TOKEN-ENDPOINT': [DISCOVERY.token],
  'DISC-ISSUER': [DISCOVERY.issuer],
  'DISC-AUTH-METHODS-FAPI': [FAPI.clientAuth, DISCOVERY.authMethods],
  'DISC-REQUEST-OBJECT-ALGS': [FAPI.notRs256],
  'DISC-ID-TOKEN-ALGS': [FAPI.notRs256],
  'DISC-CERT-BOUND-TOKENS': [MTLS.boundMetadata, FAPI.senderConstrained],
  'DISC-GRANT-TYPES': [OB.ccGrant, DISCOVERY.grantTypes],
  'DISC-RESPONSE-TYPES': [FAPI.responseType, DISCOVERY.responseTypes],
  'DISC-SCOPES': [DISCOVERY.openid],

  // Registration (POST /register)
  'DCR-002-REGISTER-201': [RFC7591.created, OB.postOk],
  'RES-JSON': [RFC7591.created, OB.postOk],
  'RES-SCHEMA-POST': [RFC7591.allMetadata, DD.sameClaims],
  'RES-ECHO-METADATA': [RFC7591.allMetadata],
  'RES-SOFTWARE-ID': [DD.sameClaims, OB.postOk],
  'RES-TLS-DN': [DD.tlsDnIff, DD.sameClaims],
  'RES-NO-SECRET-FOR-MTLS': [RFC7591.secretUse, DD.clientSecret],
  'REQ-CONTENT-TYPE-JWT': [OB.postJws],
  'RES-SECRET-EXPIRES-AT': [RFC7591.secretExpires, DD.secretExpires],
  'RES-SCHEMA-SECRET-CLIENT': [RFC7591.secretExpires, DD.clientSecret],
  'REQ-PRIVATE-KEY-JWT': [DD.pkjwt, FAPI.clientAuth],
  'REQ-JTI-REPLAY': [JWT.jti, DD.jti],
  'DISC-CONSISTENT-REGISTER': [OB.advertised, OB.sameUrl],
  'DISC-CONSISTENT-AUTH-METHOD': [DISCOVERY.authMethods, DD.wellKnown],

  // Transport
  'TLS-NO-CLIENT-CERT': [OB.mtls, MTLS.handshake],
  'TLS-UNTRUSTED-CA': [OB.mtls, MTLS.chain],

  // The request JWS and its claims
  'DCR-004-RS256': [q('FAPI1-ADV-8.6', FAPI.psOrEs.text, 'the registration request is a JWS; RS256 is RSASSA-PKCS1-v1_5, neither PS256 nor ES256')],
  'JWS-ALG-NONE': [FAPI.notNone, JWT.algSet],
  'JWS-ALG-HS256': [FAPI.psOrEs, JWT.algSet],
  'JWS-NO-X5C': [OB.noEmbeddedKey],
  'JWS-FOREIGN-KEY': [OB.jwks, JWT.kid],
  'JWS-UNKNOWN-KID': [JWT.kid, OB.jwks],
  'JWS-REAL-KEY-UNKNOWN-KID': [q('RFC7515-4.1', JWT.kid.text, 'a kid the software JWKS does not hold matches no key of it, whichever key made the signature'), OB.jwks],
  'JWS-HS256-PUBLIC-KEY': [JWT.oneAlgPerKey, FAPI.psOrEs],
  'DCR-004-EXP': [DD.exp, JWT.exp],
  'REQ-EXP-MISSING': [DD.expRequired],
  'DCR-004-ISS-INVALID': [DD.issSoftwareId],
  'DCR-004-ISS-EMPTY': [DD.issPattern],
  'DCR-004-ISS-LONG': [DD.issPattern, DD.issPattern31],
  'REQ-IAT-FUTURE': [q('OBDCR-REQ', DD.iat.text, 'a request cannot have been issued an hour from now'), JWT.iat],
  'REQ-JTI-MISSING': [DD.jti],
  'REQ-AUD-OTHER': [JWT.aud, DD.aud],
  'REQ-AUD-EXTENDED': [q('RFC7519-4.1', JWT.aud.text, "an aud that extends the bank's id is another value: it does not identify the bank"), DD.aud],
  'REQ-AUD-CONTAINS-ISSUER': [q('RFC7519-4.1', JWT.aud.text, "an aud that merely contains the bank's id is another value: it does not identify the bank"), DD.aud],
  'REQ-SOFTWARE-ID-MISMATCH': [DD.softwareId],
  'DCR-011-RESPONSE-TYPES': [DD.unsupported, DD.responseTypes],
  'REQ-AUTH-METHOD-UNKNOWN': [DD.authMethods, q('FAPI1-ADV-5.2.2', FAPI.noPublicClients.text, '"none" is a public client (RFC 7591 2)')],
  'REQ-AUTH-SIGNING-ALG-MISSING': [DD.signingAlg],
  'REQ-TLS-DN-MISSING': [DD.tlsDnIff, MTLS.chain],
  'REQ-TLS-DN-SUBSET': [q('OBDCR-REQ', DD.tlsDn.text, DN_NEAR_MISS), MTLS.subject, DD.tlsDnPartial],
  'REQ-TLS-DN-ALTERED': [q('OBDCR-REQ', DD.tlsDn.text, DN_NEAR_MISS), MTLS.subject, DD.tlsDnPartial],
  'REQ-TLS-DN-MISMATCH': [DD.tlsDn, MTLS.subject],
  'REQ-GRANT-TYPE-UNSUPPORTED': [DD.unsupported, DD.grantTypes],
  'REQ-SCOPE-UNSUPPORTED': [DD.unsupported, DD.scopeSubset],
  'REQ-SCOPE-SHAPE': [DD.scope, DD.scope31],
  'REQ-APPLICATION-TYPE-NATIVE': [DD.unsupported, DD.applicationType],
  'REQ-ID-TOKEN-ALG-RS256': [q('FAPI1-ADV-8.6', FAPI.psOrEs.text, 'an ID token the bank signs with RS256 is a JWS with RSASSA-PKCS1-v1_5, neither PS256 nor ES256'), DD.idTokenAlg],
  'REQ-REQUEST-OBJECT-ALG-NONE': [FAPI.notNone, DD.requestObjectAlg],
  'REQ-JWKS-AND-JWKS-URI': [RFC7591.jwksBoth],
  'SSA-MISSING': [DD.softwareStatement],

  // Redirect URIs
  'REDIRECT-NOT-IN-SSA': [DD.redirectSubset, RFC7591.invalidRedirect],
  'REDIRECT-HTTP': [DD.redirectHttps, RFC7591.invalidRedirect],
  'REDIRECT-LOCALHOST': [DD.redirectLocalhost, RFC7591.invalidRedirect],
  'REDIRECT-FRAGMENT': [OAUTH.fragment, RFC7591.invalidRedirect],
  'REDIRECT-TOO-LONG': [DD.redirectLength, RFC7591.invalidRedirect],
  'REDIRECT-MISSING': [DD.redirectOmitted, RFC7591.redirectUris],
  'REDIRECT-EXTENDED': [q('OBDCR-REQ', DD.redirectSubset.text, REDIRECT_NEAR_MISS), OAUTH.exactMatch],
  'REDIRECT-CASE': [q('OBDCR-REQ', DD.redirectSubset.text, REDIRECT_NEAR_MISS), OAUTH.exactMatch],
  'REDIRECT-TRAILING-SLASH': [q('OBDCR-REQ', DD.redirectSubset.text, REDIRECT_NEAR_MISS), OAUTH.exactMatch],
  'REDIRECT-QUERY': [q('OBDCR-REQ', DD.redirectSubset.text, REDIRECT_NEAR_MISS), OAUTH.exactMatch],
  'REDIRECT-HOST-SUFFIX': [q('OBDCR-REQ', DD.redirectSubset.text, REDIRECT_NEAR_MISS), OAUTH.exactMatch],

  // The software statement
  'SSA-WRONG-KEY': [OB.jwks, OB.trusted],
  'SSA-ALG-NONE': [RFC7591.ssaSigned, OB.selfSigned],
  'SSA-ALG-HS256': [JWT.algSet, FAPI.psOrEs],
  'SSA-UNKNOWN-KID': [JWT.kid, OB.trusted],
  'SSA-UNTRUSTED-ISSUER': [OB.trusted, q('RFC7591-3.2.2', 'unapproved_software_statement The software statement presented is not approved for use by this authorization server.')],
  'SSA-EXPIRED': [JWT.exp],
  'SSA-NOT-YET-VALID': [q('RFC7519-4.1', JWT.iat.text, 'a statement cannot have been issued in the future')],
  'SSA-NBF-FUTURE': [JWT.nbf],
  'SSA-CLAIMS-MISSING': [OB.jwks, DD.pkjwt],
  'SSA-JWKS-UNTRUSTED-HOST': [OB.jwksAgreed, OB.jwks],

  // Management (GET, PUT, DELETE /register/{ClientId})
  'DCR-002-TOKEN': [OB.ccGrant, OAUTH.tokenResponse],
  'DCR-005-GET-200': [OB.getOk, RFC7592.readOk],
  'RES-SCHEMA-GET': [OB.getOk, RFC7592.sameClientId],
  'MGT-TOKEN-CERT-BOUND': [FAPI.senderConstrained, MTLS.bound],
  'MGT-TOKEN-OTHER-CERT': [FAPI.senderConstrained, MTLS.bound],
  'DISC-CONSISTENT-TOKEN-ENDPOINT': [DISCOVERY.token, OB.advertised],
  'DCR-007-EMPTY-TOKEN': [RFC7592.readInvalidToken, BEARER.challenge],
  'MGT-MALFORMED-TOKEN': [BEARER.challenge, BEARER.invalidToken],
  'MGT-CROSS-CLIENT-403': [RFC7592.readForbidden, OB.getOk],
  'DCR-008-PUT-200': [OB.putOk, RFC7592.updateOk],
  'PUT-KEEPS-TOKEN': [OB.putKeepsTokens],
  'DCR-002-DELETE-204': [RFC7592.deleted, OB.deleteOk],
  'DCR-003-GET-DELETED': [OB.getUnknown, RFC7592.readUnknown],
  'DEL-REVOKES-TOKEN': [OB.deleteOk, BEARER.invalidToken],
  'DCR-009-PUT-DELETED': [OB.putUnknown],
  'MGT-UNKNOWN-CLIENT-401': [OB.getUnknown, BEARER.challenge],
  'MGT-TOKEN-REVOKED-AFTER-401': [OB.getUnknown],
  'PUT-FOREIGN-KEY': [OB.putJws, OB.jwks],
  'PUT-ALG-NONE': [FAPI.notNone, JWT.algSet],
  'PUT-EXPIRED': [DD.exp, JWT.exp],
  'PUT-CLIENT-ID-MISMATCH': [RFC7592.updateClientId],
  'PUT-SOFTWARE-ID-CHANGE': [DD.softwareId, RFC7591.softwareIdSame],
  'MGT-CROSS-CLIENT-PUT-403': [RFC7592.updateForbidden, BEARER.insufficient],
  'MGT-CROSS-CLIENT-DELETE-403': [RFC7592.deleteForbidden, OB.deleteOk],
  'PUT-REDIRECT-NOT-IN-SSA': [DD.redirectSubset, RFC7592.updateInvalid],

  // The token endpoint
  'AUTH-METHOD-TLS-CLIENT-AUTH': [DISCOVERY.asAuthMethods, MTLS.subject],
  'AUTH-METHOD-PRIVATE-KEY-JWT': [DISCOVERY.asAuthMethods, FAPI.clientAuth],
  'AUTH-METHOD-CLIENT-SECRET-BASIC': [DISCOVERY.asAuthMethods, OAUTH.basic],
  'AUTH-METHOD-CLIENT-SECRET-POST': [DISCOVERY.asAuthMethods, DISCOVERY.authMethods],
  'TOKEN-CERT-BOUND-PRIVATE-KEY-JWT': [FAPI.senderConstrained, MTLS.bound],
  'TOKEN-CERT-BOUND-CLIENT-SECRET-BASIC': [FAPI.senderConstrained, MTLS.bound],
  'TOKEN-CERT-BOUND-CLIENT-SECRET-POST': [FAPI.senderConstrained, MTLS.bound],
  'TOKEN-TLS-UNTRUSTED-CERT': [MTLS.chain, MTLS.noCert],
  'TOKEN-TLS-NO-CERT': [MTLS.noCert, OAUTH.invalidClient],
  'TOKEN-TLS-OTHER-DN': [MTLS.subject, MTLS.noCert],
  'TOKEN-ASSERTION-AUD-OTHER': [ASSERTION.aud, ASSERTION.invalidClient],
  'TOKEN-ASSERTION-ISS-OTHER': [ASSERTION.sub, ASSERTION.invalidClient],
  'TOKEN-ASSERTION-EXPIRED': [ASSERTION.exp, ASSERTION.invalidClient],
  'TOKEN-ASSERTION-FOREIGN-KEY': [ASSERTION.signature, ASSERTION.invalidClient],
  'TOKEN-ASSERTION-ALG-NONE': [ASSERTION.signature, JWT.algSet],
  'TOKEN-ASSERTION-REPLAY': [ASSERTION.jtiOnce, FAPI.clientAuth],
  'TOKEN-SECRET-WRONG': [OAUTH.invalidClient, OAUTH.basic],

  // Keys carried in the request itself, and an SSA naming another issuer
  'JWS-EMBEDDED-JWK': [q('OBDCR-GEN', OB.noEmbeddedKey.text, 'a "jwk" header embeds the public key in the request as x5c does'), JWT.jwk],
  'JWS-EMBEDDED-X5C': [OB.noEmbeddedKey, JWT.x5c],
  'JWS-SELF-JWKS': [q('OBDCR-GEN', OB.noEmbeddedKey.text, 'a "jwks" claim embeds the public key in the payload itself'), DD.pkjwt],
  'SSA-OTHER-ISS-REAL-KEY': [RFC7591.ssaIss, OB.trusted],

  // Required claims, critical extensions, and what the token endpoint and DELETE owe
  'REQ-IAT-MISSING': [DD.iat],
  'REQ-AUD-MISSING': [DD.aud],
  'REQ-ISS-MISSING': [DD.issSoftwareId],
  'JWS-CRIT-UNKNOWN': [q('RFC7515-4.1', 'The "crit" (critical) Header Parameter indicates that extensions to this specification and/or [JWA] are being used that MUST be understood and processed. ... If any of the listed extension Header Parameters are not understood and supported by the recipient, then the JWS is invalid.')],
  'PUT-SSA-WRONG-KEY': [OB.putJws, OB.jwks],
  'DEL-TOKEN-ENDPOINT-REFUSED': [q('RFC7592-2.3', 'A successful delete action will invalidate the "client_id", "client_secret", and "registration_access_token" for this client, thereby preventing the "client_id" from being used at either the authorization endpoint or token endpoint of the authorization server.'), OB.deleteOk],
  'DISC-ISSUER-MATCHES-URL': [q('OIDC-DISCOVERY-4.3', 'The issuer value returned MUST be identical to the Issuer URL that was used as the prefix to /.well-known/openid-configuration to retrieve the configuration information.')],
  'TOKEN-NO-STORE': [q('RFC6749-5.1', 'The authorization server MUST include the HTTP "Cache-Control" response header field [RFC2616] with a value of "no-store" in any response containing tokens, credentials, or other sensitive information ...')],
  'TOKEN-SECRET-POST-WRONG': [OAUTH.invalidClient],
  'TOKEN-ASSERTION-NO-EXP': [q('RFC7523-3', 'The JWT MUST contain an "exp" (expiration time) claim that limits the time window during which the JWT can be used.'), ASSERTION.invalidClient],
  'TOKEN-ASSERTION-NO-JTI': [ASSERTION.jtiOnce, ASSERTION.invalidClient],

  // Near misses found by the independent strict bank's one-flag bugs
  'SSA-REAL-KEY-UNKNOWN-KID': [q('RFC7515-4.1', JWT.kid.text, 'a kid the directory JWKS does not hold matches no key of it, whichever key made the signature'), OB.trusted],
  'SSA-HS256-PUBLIC-KEY': [JWT.oneAlgPerKey, FAPI.psOrEs],
  'REDIRECT-HOST-PREFIX': [q('OBDCR-REQ', DD.redirectSubset.text, REDIRECT_NEAR_MISS), OAUTH.exactMatch],
  'REDIRECT-OTHER-PATH': [q('OBDCR-REQ', DD.redirectSubset.text, 'the same origin with another path is another URI'), OAUTH.exactMatch],
  'REDIRECT-PORT': [q('OBDCR-REQ', DD.redirectSubset.text, 'the same host on another port is another URI'), OAUTH.exactMatch],
  'REDIRECT-USERINFO': [q('OBDCR-REQ', DD.redirectSubset.text, 'a URI whose host is evil.example, however it starts, is another URI'), OAUTH.exactMatch],
  'TOKEN-ASSERTION-SUB-OTHER': [ASSERTION.sub, ASSERTION.invalidClient],
  'TOKEN-ASSERTION-ISS-ONLY-OTHER': [q('RFC7523-3', 'The JWT MUST contain an "iss" (issuer) claim that contains a unique identifier for the entity that issued the JWT.', 'for client authentication the issuer is the client, as OIDC Core 9 says: iss "REQUIRED. Issuer. This MUST contain the client_id of the OAuth Client."'), ASSERTION.invalidClient],
  'REQ-SCOPE-BEYOND-ROLES': [DD.scopeSubset, DD.unsupported],
};

/** The quotes of a check, or undefined when it has none (the quotes test keeps that from happening). */
export function quotesOf(id: string): readonly Quote[] | undefined {
  return Object.hasOwn(quotes, id) ? quotes[id] : undefined;
}
