/**
 * The bug switches of the second bank: each one a single, realistic wrong implementation
 * (what deployed banks have been seen, or could plausibly be seen, to get wrong). The bank is
 * correct with none of them on. Each switch names its mutation class, so a conformance tool
 * can be proved against every class of mistake.
 */
export const SECOND_BANK_BUGS = [
  'alg-none-accepted',
  'rs256-accepted',
  'alg-case-insensitive',
  'kid-ignored',
  'crit-ignored',
  'jku-followed',
  'x5u-followed',
  'embedded-jwk-trusted',
  'hs256-spki-pem-newline',
  'hs256-spki-pem-no-newline',
  'hs256-pkcs1-pem',
  'hs256-spki-der',
  'hs256-pkcs1-der',
  'hs256-jwk-json',
  'signature-unchecked',
  'iss-unchecked',
  'aud-substring',
  'exp-unchecked',
  'exp-optional',
  'iat-optional',
  'iat-future-accepted',
  'jti-optional',
  'jti-replay',
  'numeric-string-claims',
  'software-id-mismatch-accepted',
  'redirect-fragment-allowed',
  'redirect-not-in-ssa-accepted',
  'redirect-http-allowed',
  'grant-types-unchecked',
  'response-types-unchecked',
  'unknown-auth-method-accepted',
  'signing-alg-optional',
  'scope-beyond-roles',
  'unknown-metadata-refused',
  'jwks-and-jwks-uri-accepted',
  'secret-prefix-compare',
  'basic-secret-unchecked',
  'post-secret-unchecked',
  'assertion-sub-unchecked',
  'assertion-aud-unchecked',
  'assertion-exp-optional',
  'assertion-replay',
  'assertion-type-unchecked',
  'mgmt-find-by-software-id',
  'client-id-case-insensitive',
  'cross-client-put-delete',
  'unknown-client-404',
  'unknown-client-token-kept',
  'token-scope-beyond-client',
  'grant-type-unchecked',
  'empty-scope-refused',
  'token-no-cert-dn-skipped',
  'token-dn-mismatch-accepted',
  'registration-untrusted-ca',
  'registration-dn-mismatch',
  'bound-token-any-cert',
  'jwks-host-unpinned',
  'ssa-iss-unchecked',
  'ssa-signature-unchecked',
  'ssa-exp-unchecked',
  'put-stores-nothing',
  'put-software-id-changes',
  'put-answers-old',
  'delete-keeps-client',
  'post-stores-first-redirect',
  'advertised-secret-post-refused',
  'advertised-es256-assertion-refused',
  'advertised-refresh-token-refused',
] as const;
export type SecondBankBug = (typeof SECOND_BANK_BUGS)[number];

/** Each switch: its mutation class and one line on what the wrong implementation does. */
const CATALOGUE: Readonly<Record<SecondBankBug, readonly [string, string]>> = {
  // --- jose-header: the registration request JWS header and signature --------------------
  'alg-none-accepted': ['jose-header', 'accepts a registration request JWS with alg "none" and an empty signature'],
  'rs256-accepted': ['jose-header', 'accepts a registration request signed RS256 (PKCS#1 v1.5), outside the PS256/ES256 FAPI list'],
  'alg-case-insensitive': ['jose-header', 'compares the request alg case-insensitively, so "ps256" is verified as PS256 and accepted'],
  'kid-ignored': ['jose-header', 'ignores the request kid and verifies with the first key of the software JWKS (an unknown kid passes)'],
  'crit-ignored': ['jose-header', 'ignores the crit header, accepting a JWS that marks an extension it does not understand as critical'],
  'jku-followed': ['jose-header', 'fetches the verification key set from the jku header URL instead of the SSA software_jwks_endpoint'],
  'x5u-followed': ['jose-header', 'fetches the verification certificate from the x5u header URL instead of the SSA software_jwks_endpoint'],
  'embedded-jwk-trusted': ['jose-header', 'verifies the request with the public key embedded in its own jwk header'],
  'hs256-spki-pem-newline': ['jose-header', 'verifies HS256 using the software key SPKI PEM text (with trailing newline) as the HMAC secret'],
  'hs256-spki-pem-no-newline': ['jose-header', 'verifies HS256 using the software key SPKI PEM text (trailing newline trimmed) as the HMAC secret'],
  'hs256-pkcs1-pem': ['jose-header', 'verifies HS256 using the software RSA key PKCS#1 PEM text (with trailing newline) as the HMAC secret'],
  'hs256-spki-der': ['jose-header', 'verifies HS256 using the software key SPKI DER bytes as the HMAC secret'],
  'hs256-pkcs1-der': ['jose-header', 'verifies HS256 using the software RSA key PKCS#1 DER bytes as the HMAC secret'],
  'hs256-jwk-json': ['jose-header', 'verifies HS256 using the public JWK, JSON.stringify-ed as published in the software JWKS, as the HMAC secret'],
  'signature-unchecked': ['jose-header', 'decodes the registration request JWS without verifying its signature at all'],

  // --- claims: the registration request claims -------------------------------------------
  'iss-unchecked': ['claims', 'does not compare the request iss with the SSA software_id'],
  'aud-substring': ['claims', 'accepts any aud that contains the bank issuer as a substring (or is contained in it)'],
  'exp-unchecked': ['claims', 'requires exp but never compares it with the clock, so an expired request is accepted'],
  'exp-optional': ['claims', 'checks exp when present but accepts a request without exp'],
  'iat-optional': ['claims', 'accepts a request without iat'],
  'iat-future-accepted': ['claims', 'accepts an iat far in the future (no skew limit)'],
  'jti-optional': ['claims', 'accepts a request without jti'],
  'jti-replay': ['claims', 'does not remember jti values, so a request can be replayed'],
  'numeric-string-claims': ['claims', 'coerces exp/iat given as JSON strings ("exp":"9999999999") to numbers and accepts them'],
  'software-id-mismatch-accepted': ['claims', 'accepts a software_id claim different from the SSA software_id (keeps the SSA one)'],

  // --- metadata: the client metadata in the request ---------------------------------------
  'redirect-fragment-allowed': ['metadata', 'accepts a redirect_uri with a fragment when the SSA lists it'],
  'redirect-not-in-ssa-accepted': ['metadata', 'checks redirect_uris only for https, never against the SSA software_redirect_uris'],
  'redirect-http-allowed': ['metadata', 'accepts an http:// redirect_uri when the SSA lists it'],
  'grant-types-unchecked': ['metadata', 'stores any grant_types value without checking it against the supported list'],
  'response-types-unchecked': ['metadata', 'stores any response_types value without checking it against the supported list'],
  'unknown-auth-method-accepted': ['metadata', 'accepts and stores an unknown token_endpoint_auth_method'],
  'signing-alg-optional': ['metadata', 'accepts private_key_jwt without token_endpoint_auth_signing_alg'],
  'scope-beyond-roles': ['metadata', 'accepts any requested scope, ignoring the SSA software_roles'],
  'unknown-metadata-refused': ['metadata', 'refuses a request carrying metadata it does not know, instead of ignoring it (RFC 7591 2)'],
  'jwks-and-jwks-uri-accepted': ['metadata', 'accepts a request carrying both jwks and jwks_uri'],

  // --- credentials: client authentication at the token endpoint ---------------------------
  'secret-prefix-compare': ['credentials', 'accepts a client secret when the presented value is a non-empty prefix of the stored one'],
  'basic-secret-unchecked': ['credentials', 'checks the secret for client_secret_post but accepts any secret in HTTP Basic'],
  'post-secret-unchecked': ['credentials', 'checks the secret for HTTP Basic but accepts any client_secret in the form body'],
  'assertion-sub-unchecked': ['credentials', 'does not check that the client assertion sub equals the client_id'],
  'assertion-aud-unchecked': ['credentials', 'does not check the client assertion aud'],
  'assertion-exp-optional': ['credentials', 'accepts a client assertion without exp'],
  'assertion-replay': ['credentials', 'does not remember client assertion jti values, so an assertion can be replayed'],
  'assertion-type-unchecked': ['credentials', 'accepts any client_assertion_type value with a client_assertion'],

  // --- identifiers: ClientId handling at /register/{ClientId} ------------------------------
  'mgmt-find-by-software-id': ['identifiers', 'management also finds the client when the path carries its software_id'],
  'client-id-case-insensitive': ['identifiers', 'management looks the ClientId up case-insensitively'],
  'cross-client-put-delete': ['identifiers', 'accepts a token of client A on PUT/DELETE of client B (GET is checked)'],
  'unknown-client-404': ['identifiers', 'answers 404 instead of 401 for an unknown ClientId'],
  'unknown-client-token-kept': ['identifiers', 'answers 401 for an unknown ClientId but does not revoke the presented token'],

  // --- grants-scope: the token endpoint grant ----------------------------------------------
  'token-scope-beyond-client': ['grants-scope', 'grants every requested scope, even one the client was not registered with'],
  'grant-type-unchecked': ['grants-scope', 'issues a token whatever the grant_type parameter says (or when it is missing)'],
  'empty-scope-refused': ['grants-scope', 'refuses an empty scope= parameter as malformed (invalid_request) instead of treating it as omitted (RFC 6749 3.2), i.e. granting its default scope or answering invalid_scope'],

  // --- tls-identity: certificates ----------------------------------------------------------
  'token-no-cert-dn-skipped': ['tls-identity', 'for tls_client_auth, skips the DN check and issues an unbound token when no certificate is presented'],
  'token-dn-mismatch-accepted': ['tls-identity', 'for tls_client_auth, accepts any trusted certificate at the token endpoint, whatever its DN'],
  'registration-untrusted-ca': ['tls-identity', 'accepts a registration over a client certificate that does not chain to the trusted CA'],
  'registration-dn-mismatch': ['tls-identity', 'registers tls_client_auth_subject_dn without comparing it with the presented certificate'],
  'bound-token-any-cert': ['tls-identity', 'accepts a bound token at management with any trusted certificate, not only the bound one'],

  // --- trust-chain: SSA and software key provenance ----------------------------------------
  'jwks-host-unpinned': ['trust-chain', 'fetches the software_jwks_endpoint from any host, not only the directory keystore'],
  'ssa-iss-unchecked': ['trust-chain', 'accepts an SSA whose iss is not the trusted directory'],
  'ssa-signature-unchecked': ['trust-chain', 'decodes the SSA without verifying its signature'],
  'ssa-exp-unchecked': ['trust-chain', 'accepts an expired SSA'],

  // --- read-back: what is stored versus what is answered ----------------------------------
  'put-stores-nothing': ['read-back', 'PUT answers 200 with the new metadata but stores nothing (GET shows the old)'],
  'put-software-id-changes': ['read-back', 'PUT with an SSA of another software_id is accepted and the new software_id stored'],
  'put-answers-old': ['read-back', 'PUT stores the new metadata but answers with the old client'],
  'delete-keeps-client': ['read-back', 'DELETE answers 204 but the client and its tokens stay usable'],
  'post-stores-first-redirect': ['read-back', 'POST answers the requested redirect_uris but stores only the first SSA redirect URI'],

  // --- advertised: discovery says one thing, the endpoints do another ---------------------
  'advertised-secret-post-refused': ['advertised', 'discovery lists client_secret_post but registering with it is refused'],
  'advertised-es256-assertion-refused': ['advertised', 'discovery lists ES256 for token_endpoint_auth_signing_alg but ES256 client assertions are refused'],
  'advertised-refresh-token-refused': ['advertised', 'discovery lists the refresh_token grant but registering grant_types with it is refused'],
};

export const SECOND_BANK_BUG_NOTES: Readonly<Record<SecondBankBug, string>> = Object.freeze(
  Object.fromEntries(Object.entries(CATALOGUE).map(([k, v]) => [k, v[1]])) as Record<SecondBankBug, string>,
);
export const SECOND_BANK_BUG_CLASS: Readonly<Record<SecondBankBug, string>> = Object.freeze(
  Object.fromEntries(Object.entries(CATALOGUE).map(([k, v]) => [k, v[0]])) as Record<SecondBankBug, string>,
);

export type Bugs = ReadonlySet<SecondBankBug>;
