import { quotesFor, type CheckDefinition, type Severity } from './define';
import { keywordOf, type Keyword } from './keyword';
import type { Quote } from './quotes';

/**
 * A verdict's MUST or SHOULD is that of the sentence it rests on: the check's first quote
 * (conformance/rules/quotes.ts, or a sweep row's own). Where the two agree nothing needs saying. A
 * check needs written reasoning here when its severity differs from that sentence's keyword, when the
 * sentence has no keyword (it describes the operation), or when it is a tolerance (the bank must
 * accept): the reasoning says which words the severity rests on instead. The severity test
 * (test/conformance/severity.test.ts) fails on a check that needs reasoning and has none, and on
 * reasoning for a check that does not exist; docs/checks.md shows the reasoning beside the sentence.
 */

/** The OBIE sentence is in the indicative; RFC 7592 2.1 says the 401 with a MUST. */
const UNKNOWN_401 =
  'OBIE states the 401 in the indicative ("responds with an Unauthorized status code"), as the definition of the operation; RFC 7592 2.1 says it with a MUST ("the server MUST respond with HTTP 401 Unauthorized"). MUST.';
/** The definition of a successful operation, in the indicative. */
const DEFINES_SUCCESS =
  'The sentence defines the successful answer in the indicative: it is what the operation is, not an option the bank may decline, and the official OBIE tool fails a bank on it. MUST.';
/** "has to rely on a set of JSON Web Key Stores". */
const JWKS_RELIANCE =
  'OBIE says the ecosystem "has to rely" on the JWKS for verifying the request and the SSA: its "has to" is a must in other words. A signature that no key of that JWKS verifies (forged, altered, stripped, or made by a key outside it) verifies nothing. MUST.';
/** The data dictionary's occurrence column: 1..1. */
const OCCURRENCE =
  'The data dictionary gives the claim the occurrence 1..1: a request without it is not an OBClientRegistrationRequest1, and "the ASPSP MUST return a client registration error response" when it refuses (OBIE Error Structure). MUST.';
/** A claim of the wrong JSON type. */
const TYPE =
  'The sentence defines the type of the claim without a keyword: a value of another JSON type is not a value of the claim at all, so the request lacks the claim as the data dictionary requires it (occurrence 1..1). MUST.';
/** The method is the client's registered metadata, advertised or not. */
const AUTH_METHOD =
  'OPTIONAL is the discovery field, not the behaviour: the bank registered the client with this method and answered it back (RFC 7591 3.2.1: it "MUST return all registered metadata"), so its token endpoint must authenticate the client with it. The check runs only for methods the target declares. MUST.';
/** RFC 8705 2 describes mutual-TLS client authentication in the indicative. */
const MTLS_DEFINES =
  'RFC 8705 2 defines PKI mutual-TLS client authentication in the indicative ("relies on a validated certificate chain", "is successfully authenticated if the subject information ... matches", "returns a normal OAuth 2.0 error response ... with the invalid_client error code"): a client that does not meet that definition is not authenticated. MUST.';
/** The kid of an unknown key. */
const UNKNOWN_KEY_KID =
  'RFC 7515 calls kid a hint, without a keyword. The MUST is the signature: the JWS is signed by a key outside the JWKS, so whatever the bank does with the kid, no key of the JWKS OBIE says "the ecosystem has to rely on" verifies it. MUST.';
/** The kid of a known key. */
const KNOWN_KEY_KID =
  'RFC 7515 4.1.4 calls kid "a hint" and says nothing of a kid that matches no key; a bank that tries each key of the JWKS (as the OBIE tool\'s kid-less client assertions need) verifies the signature with a key it has to rely on. The pack warns: a kid that names no key is a sign the key lookup is loose. SHOULD.';
/** A discovery document describes the whole server. */
const WHOLE_SERVER =
  'Discovery describes the whole server, which may serve clients outside FAPI; the FAPI sentence binds what the server does for FAPI clients, not what it lists. A list that offers more than FAPI allows is therefore a warning, not a failure; what a FAPI client is actually given is checked by the registration probes.';

/** Reviewed reasoning, by check id: why the severity is what it is where the sentence alone does not say it. */
/** An advertised capability that does not work: the discovery field is OPTIONAL, what it says is not. */
const ADVERTISED =
  'The discovery field is OPTIONAL (RFC 8414 2), but once published it is the server\'s own statement of what it supports ("a list of ... supported by this token endpoint"), and OBIE lets the ASPSP publish its endpoints and their features only "as long as it is advertised appropriately": a capability advertised that cannot register and get a token is metadata that is false, which a TPP reading discovery is entitled to rely on. MUST.';
/** RFC 7592 2.2 binds the client ("MUST NOT include"); what the server does with such a field is not said. */
const PUT_CLIENT_BOUND =
  'The MUST NOT of RFC 7592 2.2 binds the client ("The updated client metadata fields request MUST NOT include ..."): it says nothing of the server. A server that refuses the field, or keeps its own value, is right; one that lets the client set a value only the server provisions goes against the sense of Section 3 (server-issued fields) without breaking a sentence addressed to it, so the pack warns. SHOULD.';
/** The initial access token: the endpoint MAY require one; the target declares it does. */
const IAT_DECLARED =
  'RFC 7591 3 says the endpoint MAY accept an initial access token to limit registration to authorized parties: the MAY is the server\'s choice of having one. The target declares that it made that choice, and then RFC 6750 3 (with a MUST) governs a request without the token or with another: refused with 401 and a WWW-Authenticate challenge. MUST.';
/** The CDS data dictionary: a claim marked mandatory, or a value outside its enumerated values. */
const CDS_MANDATORY =
  'The CDS ClientRegistration table marks the claim mandatory and enumerates its values: a request without it, or with another value, is not a ClientRegistration, and the API answers such a request 400 "Request failed due to client error" with a RegistrationError. MUST.';
/** The CDS Responses table: what the successful operation answers. */
const CDS_SUCCESS =
  'The CDS API defines the successful answer of the operation in its Responses table, as what the operation is (not an option the data holder may decline): a data recipient reads the client from it. MUST.';
/** An SSA the CDR Register did not issue as presented. */
const CDS_SSA =
  'The endpoint registers "a client using a CDR Register issued Software Statement Assertion": one the Register did not sign, or whose claims are not the Register\'s, is not one; RFC 7591 3.2.2 names the refusal (invalid_software_statement), the CDR error catalogue the code. MUST.';
/** The management operations need a cdr:registration token of the client. */
const CDS_SCOPE =
  'The CDS API says the operation needs authentication with the cdr:registration scope ("you must be authenticated and authorised"), and answers 401 a request "due to unknown or invalid Client or invalid access token": one without that authorisation is not served. MUST.';
/** The first failing step answers. */
const CDS_ORDER =
  'The CDR error catalogue gives each validation step its own code, and a data recipient fixes what the code names: a later step answering first names the wrong fault (the claim it reports rests on what was not yet verified). MUST.';

/** The Australia CDR dialect (conformance/sweep/cdr.ts, conformance/rules/cdr.ts). */
const CDR_REASONS: Readonly<Record<string, string>> = {
  'CDR-REGISTER-201': CDS_SUCCESS,
  'CDR-REGISTER-SOFTWARE-ID': 'The software_id is mandatory and "used by registration endpoints to identify the software product", and redirect_uris "MUST match or be a subset of the redirect_uris as defined in the SSA": a registration answering another software_id, or a redirect URI outside the SSA, registered something else. MUST.',
  'CDR-DUPLICATE-SOFTWARE-ID': 'The software_id identifies "the software product to be dynamically registered", and the CDR error catalogue reserves ERR-DCR-001 for a second registration of it: the data holder keeps one client per software product. MUST.',
  'CDR-GET-200': CDS_SUCCESS,
  'CDR-PUT-200': CDS_SUCCESS,
  'CDR-DELETE-204': CDS_SUCCESS,
  'CDR-DELETED-UNKNOWN': 'The CDS Responses table answers 401 a request "due to unknown or invalid Client or invalid access token", with the WWW-Authenticate header of RFC 6750: a deleted client is unknown, and a token revoked with it is invalid; either way not served. MUST.',
  'CDR-EMPTY-BODY': 'The body is the mandatory registration request JWT; an empty one is "Request failed due to client error" (400), ERR-DCR-002 in the CDR error catalogue. MUST.',
  'CDR-SSA-ABSENT': CDS_MANDATORY,
  'CDR-SSA-SIGNATURE': CDS_SSA,
  'CDR-SSA-OTHER-SIGNER': CDS_SSA,
  'CDR-SSA-ISS': CDS_SSA,
  'CDR-REQUEST-SIGNATURE': 'iss is mandatory and names the software product: a JWT no key of that product\'s jwks_uri verifies is not the product\'s, so the claim is not established. MUST.',
  'CDR-AUD-NOT-ISSUER': CDS_MANDATORY,
  'CDR-ISS-NOT-SOFTWARE-ID': CDS_MANDATORY,
  'CDR-JTI-MISSING': CDS_MANDATORY,
  'CDR-AUTH-METHOD': CDS_MANDATORY,
  'CDR-APPLICATION-TYPE': 'application_type is optional, but its only value "will be web": a request naming another is outside the enumerated values, a client error (400). MUST.',
  'CDR-GRANT-TYPES': CDS_MANDATORY,
  'CDR-FIRST-STEP-REQUEST': CDS_ORDER,
  'CDR-SECTOR-UNREACHABLE': 'The sector_identifier_uri is the input the data holder computes pairwise identifiers from; one it cannot fetch cannot be used, and the CDR error catalogue answers it ERR-DCR-007; the CDR support guidance on DCR says that when "the sector_identifier_uri is unreachable, POST and PUT requests to the register endpoint should fail". MUST.',
  'CDR-MGT-NO-TOKEN': CDS_SCOPE,
  'CDR-MGT-SCOPE': CDS_SCOPE,
  'CDR-MGT-OTHER-CERT': CDS_SCOPE,
  'CDR-MGT-UNKNOWN-CLIENT': 'The CDS Responses table answers 401 a request for an "unknown or invalid Client", with the WWW-Authenticate header of RFC 6750, whose code for a request naming what does not exist is invalid_request. MUST.',
  'CDR-PUT-AUD-NOT-ISSUER': CDS_MANDATORY,
};

export const severityReasons: Readonly<Record<string, string>> = {
  ...CDR_REASONS,
  // Discovery
  'DISC-REQUEST-OBJECT-ALGS': `${WHOLE_SERVER} OIDC Discovery 3 itself says of request_object_signing_alg_values_supported "Servers SHOULD support none and RS256", which FAPI 8.6 reverses for FAPI clients ("should not" RS256, "shall not" none); REQ-REQUEST-OBJECT-ALG-NONE fails a bank that registers none. SHOULD.`,
  'DISC-ID-TOKEN-ALGS': `${WHOLE_SERVER} OIDC Discovery 3 requires RS256 in the list ("The algorithm RS256 MUST be included"), so listing it cannot be a failure; REQ-ID-TOKEN-ALG-RS256 and REQ-ID-TOKEN-ALG-NONE fail a bank that registers RS256 or none for a client. SHOULD.`,
  'DISC-CERT-BOUND-TOKENS': 'The field is OPTIONAL (default false). FAPI\'s "shall only issue sender-constrained access tokens" binds the tokens, which MGT-TOKEN-CERT-BOUND and TOKEN-CERT-BOUND-* check (MUST); leaving the field out only misadvertises them. SHOULD.',
  'DISC-GRANT-TYPES': 'The "must" binds the TPP\'s use of the client credentials grant, which DCR-002-TOKEN checks (MUST). grant_types_supported is OPTIONAL in OIDC Discovery; its default (authorization_code, implicit) leaves client_credentials out, so a bank that omits the field misadvertises but breaks no MUST. SHOULD.',
  'DISC-RESPONSE-TYPES': `${WHOLE_SERVER} OIDC Discovery 3 even requires a dynamic OP to support implicit response types (id_token and token id_token, with a MUST), which FAPI 5.2.2 excludes for FAPI clients. SHOULD.`,
  'DISC-SCOPES': 'The MUST is to support openid, not to list it: scopes_supported is RECOMMENDED, and OIDC Discovery 3 goes on "Servers MAY choose not to advertise some supported scope values ... although those defined in [OpenID.Core] SHOULD be listed, if supported". SHOULD.',
  'DISC-CONSISTENT-REGISTER': 'The "may" is a conditional permission: a URL of the bank\'s choosing, "as long as it is advertised appropriately in the ASPSP\'s Discovery endpoint"; a registration endpoint other than the advertised one is outside it, and "The ASPSP must have the same URL for all the HTTP operations" (its second sentence). MUST.',
  'DISC-CONSISTENT-AUTH-METHOD': 'token_endpoint_auth_methods_supported is OPTIONAL, so an incomplete list breaks no MUST; but OBIE says the TPP "must query the ASPSP\'s OIDC .well-known end-point to identify the subset of code values that are supported", so a method missing from it is one a compliant TPP would not choose. SHOULD.',

  // The registration answer
  'DCR-002-REGISTER-201': DEFINES_SUCCESS,
  'RES-JSON': DEFINES_SUCCESS,
  'RES-SOFTWARE-ID': 'OBIE defines the answer in the indicative ("It includes all the claims in the software_statement"), and RFC 7591 3.2.1 says the same with a MUST ("Client metadata elements used from the software statement MUST also be returned directly as top-level client metadata values"). MUST.',
  'RES-NO-SECRET-FOR-MTLS': 'Both sentences let the bank issue a secret: client_secret is OPTIONAL (RFC 7591) and "The ASPSP may choose not to generate the client_secret". No sentence forbids a secret for a tls_client_auth client; the pack warns because a credential the client never uses is one more to leak. SHOULD.',
  'REQ-PRIVATE-KEY-JWT': 'The "should" concerns where the bank finds the TPP\'s keys (the SSA\'s JWKS location), not whether it registers the client. The check is the positive control of a method the target declares: a valid private_key_jwt request, which FAPI 5.2.2 names as one of the two methods the server "shall" authenticate with, must be accepted like any valid registration. MUST.',
  'REQ-CONTENT-TYPE-JWT': 'The sentence says the request is a JWS and names no media type; OBIE v3.1 clients send application/jwt, v3.2 and later application/jose. A bank of v3.2 or later that refuses the v3.1 type breaks no sentence, but breaks those clients. SHOULD.',
  'REQ-JTI-REPLAY': 'OBIE makes jti a UUIDv4 and RFC 7519 4.1.7 says it "can be used to prevent the JWT from being replayed", but no sentence requires a bank to refuse a replayed registration request. SHOULD.',

  // Transport
  'TLS-NO-CLIENT-CERT': 'OBIE states it in the indicative ("These APIs rely on TLS Mutual Authentication for authenticating the TPP"); RFC 8705 2, its second sentence, says the connection "MUST have been established ... with mutual-TLS X.509 certificate authentication". A registration without a certificate is unauthenticated. MUST.',
  'TLS-UNTRUSTED-CA': `OBIE states it in the indicative ("These APIs rely on TLS Mutual Authentication"). ${MTLS_DEFINES}`,

  // The request JWS
  'JWS-ALG-CASE': 'RFC 7515 4.1.1 defines alg as case-sensitive without a keyword: "ps256" names no algorithm, and RFC 8725 3.1 (its second sentence) says implementations "MUST NOT use any other algorithms" than the supported set. MUST.',
  'JWS-FOREIGN-KEY': JWKS_RELIANCE,
  'JWS-SIGNATURE-ALTERED': JWKS_RELIANCE,
  'JWS-SIGNATURE-STRIPPED': `The sentence says the request is a JWS, without a keyword; a JWS without its signature is not signed by the software key, and RFC 8725 3.1 (its second sentence) says implementations "MUST NOT use any other algorithms" than the supported set, none among them. ${JWKS_RELIANCE}`,
  'JWS-UNKNOWN-KID': UNKNOWN_KEY_KID,
  'JWS-REAL-KEY-UNKNOWN-KID': KNOWN_KEY_KID,
  'REQ-ISS-NUMBER': TYPE,
  'REQ-JTI-NUMBER': TYPE,
  'REQ-IAT-MISSING': OCCURRENCE,
  'REQ-IAT-FUTURE': 'Neither sentence sets a rule on an iat in the future: RFC 7519 makes only exp and nbf "MUST NOT be accepted", and says iat "can be used to determine the age of the JWT". A request issued an hour from now is implausible, so the pack warns. SHOULD.',
  'REQ-AUD-MISSING': `The "should" concerns the value of aud (the bank's identifier as the SSA issuer knows it), not its presence. ${OCCURRENCE}`,
  'SSA-MISSING': OCCURRENCE,
  'TOKEN-ASSERTION-TYPE-OTHER': 'RFC 7523 2.2 fixes the value in the indicative ("The value of the client_assertion_type is urn:ietf:params:oauth:client-assertion-type:jwt-bearer") and RFC 7521 4.2 marks the parameter REQUIRED: an assertion of another declared type is not a JWT bearer client assertion, so the client is not authenticated by it. MUST.',
  'TOKEN-SCOPE-BEYOND-CLIENT': 'RFC 7591 2 describes scope in the indicative (the values "that the client can use"), and RFC 6749 3.3 lets the server fully or partially ignore the requested scope (MAY) provided it says what it issued: a token that grants a scope the client never registered is the pack\'s reading of those sentences, not a MUST of theirs. SHOULD.',
  'TOKEN-SCOPE-EMPTY': 'A tolerance: RFC 6749 3.2 says a parameter sent without a value MUST be treated as omitted, and 3.3 that for an omitted scope the server MUST either use a pre-defined default or fail with invalid_scope: either passes, any other answer fails. MUST.',
  'ADVERTISED-AUTH-METHOD-TLS-CLIENT-AUTH-REGISTERS': ADVERTISED,
  'ADVERTISED-AUTH-METHOD-PRIVATE-KEY-JWT-REGISTERS': ADVERTISED,
  'ADVERTISED-AUTH-METHOD-CLIENT-SECRET-BASIC-REGISTERS': ADVERTISED,
  'ADVERTISED-AUTH-METHOD-CLIENT-SECRET-POST-REGISTERS': ADVERTISED,
  'ADVERTISED-SIGNING-ALG-PS256': ADVERTISED,
  'ADVERTISED-SIGNING-ALG-ES256': ADVERTISED,
  'ADVERTISED-GRANT-CLIENT-CREDENTIALS': ADVERTISED,
  'ADVERTISED-GRANT-REFRESH-TOKEN': ADVERTISED,
  'RFC7591-REGISTER-201': DEFINES_SUCCESS,
  'RFC7592-READ-200': DEFINES_SUCCESS,
  'RFC7592-UPDATE-200': DEFINES_SUCCESS,
  'RFC7591-UNKNOWN-METADATA-IGNORED': 'A tolerance: the server must accept the request. RFC 7591 2 says it with a MUST ("The authorization server MUST ignore any client metadata sent by the client that it does not understand"), so a refusal fails. MUST.',
  'RFC7591-IAT-ABSENT': IAT_DECLARED,
  'RFC7591-IAT-WRONG': IAT_DECLARED,
  'RFC7592-DELETED-RAT-REFUSED': 'RFC 7592 2.3 states the effect of a delete in the indicative ("A successful delete action will invalidate the client_id, client_secret, and registration_access_token"), and 2.1 says with a MUST that a read for a client that does not exist is answered 401: a RAT that still reads the deleted client contradicts both. MUST.',
  'RFC7592-PUT-REGISTRATION-ACCESS-TOKEN': PUT_CLIENT_BOUND,
  'RFC7592-PUT-REGISTRATION-CLIENT-URI': PUT_CLIENT_BOUND,
  'RFC7592-PUT-CLIENT-ID-ISSUED-AT': PUT_CLIENT_BOUND,
  'RFC7592-PUT-CLIENT-SECRET-EXPIRES-AT': PUT_CLIENT_BOUND,
  'REQ-UNKNOWN-METADATA-IGNORED': 'A tolerance: the bank must accept the request. RFC 7591 2 says it with a MUST ("MUST ignore any client metadata sent by the client that it does not understand"), so a refusal fails. MUST.',
  'REQ-AUTH-METHOD-UNKNOWN': 'The data dictionary lists the methods a TPP may ask for; "none" is not among them, and FAPI 5.2.2 (its second sentence) says the server "shall not support public clients", which "none" registers (RFC 7591 2). MUST.',
  'REQ-TLS-DN-SUBSET': 'The MUST binds the TPP\'s claim, but OBIE goes on: "The ASPSP may decide to match only a part of the DN so that the match is based only on the part of the DN that will be immutable for the TPP" (its third sentence). A bank that compares only the part it deems immutable breaks no sentence by accepting a DN with RDNs removed; the pack cannot know which part that is, so it warns. SHOULD.',
  'REQ-TLS-DN-ALTERED': 'The MUST binds the TPP\'s claim, but OBIE goes on: "The ASPSP may decide to match only a part of the DN so that the match is based only on the part of the DN that will be immutable for the TPP" (its third sentence). The probe alters the CN, which a bank matching only the organisation\'s immutable RDNs may ignore; the pack cannot know which part that is, so it warns. SHOULD.',
  'REQ-SCOPE-SHAPE': 'The data dictionary defines scope as a space-separated string (v3.3) or an array (v3.1), without a keyword: a scope of another JSON type is no list of scopes at all, which the bank cannot honour or substitute meaningfully. MUST.',
  'REDIRECT-TOO-LONG': 'The limit is the data dictionary\'s format column ("Each string upto 256"), without a keyword; a longer URI breaks the OBIE schema (and its tool\'s check of a GET answer) but no sentence requires a refusal. SHOULD.',
  'REDIRECT-NOT-ARRAY': TYPE,
  'REDIRECT-MISSING': 'The sentence says, in the indicative, what an omitted redirect_uris means: exactly the SSA\'s software_redirect_uris are requested. A bank may therefore refuse, or register those; registering any others registers URIs nobody asked for, and RFC 7591 2 (its second sentence) says clients "MUST register their redirection URI values". MUST.',

  // The software statement
  'SSA-WRONG-KEY': JWKS_RELIANCE,
  'SSA-ALG-CASE': 'RFC 7515 4.1.1 defines alg as case-sensitive without a keyword: "ps256" names no algorithm, and RFC 8725 3.1 (its second sentence) says implementations "MUST NOT use any other algorithms" than the supported set. MUST.',
  'SSA-KID-ABSENT': UNKNOWN_KEY_KID,
  'SSA-SIGNATURE-ALTERED': JWKS_RELIANCE,
  'SSA-ISS-CASE': 'RFC 7519 4.1 defines iss as a case-sensitive string without a keyword: a re-cased issuer is another issuer, not the directory the bank trusts, and the SSA must come from a directory the ASPSP trusts (the sentence quoted beside it). MUST.',
  'SSA-UNKNOWN-KID': UNKNOWN_KEY_KID,
  'SSA-REAL-KEY-UNKNOWN-KID': KNOWN_KEY_KID,
  'REQ-SCOPE-BEYOND-ROLES': 'The "must" is in the Data Mapping table, in a section OBIE introduces with "This section of the specification is non-normative". The data dictionary\'s rule for unsupported values (its second sentence, a must) applies only if the bank does not support the scope. SHOULD.',
  'SSA-NOT-YET-VALID': 'RFC 7519 sets no rule on an iat in the future (only exp and nbf "MUST NOT be accepted"); a statement issued in the future is implausible, so the pack warns. A statement with nbf in the future is SSA-NBF-FUTURE (MUST). SHOULD.',
  'SSA-CLAIMS-MISSING': `Without software_jwks_endpoint the bank has no JWKS to verify the request with. ${JWKS_RELIANCE}`,

  // Management
  'DCR-008-PUT-200': DEFINES_SUCCESS,
  'READBACK-PUT': `RFC 7592 2.2 defines the successful update in the indicative ("responds with an HTTP 200 OK ... and a payload as described in Section 3"), the client as it now is; a GET that does not show the acknowledged change contradicts that answer. MUST.`,
  'READBACK-REFUSED-PUTS': 'RFC 7592 2.2 says, in the indicative, that an invalid update "responds with an error"; a refused update that changed the client anyway was not refused. MUST.',
  'DCR-003-GET-DELETED': UNKNOWN_401,
  'DCR-009-PUT-DELETED': 'OBIE states the 401 in the indicative ("responds with an Unauthorized status code"), as the definition of the operation, for PUT as for GET and DELETE; RFC 7592 2.1 says it with a MUST for a client that does not exist. MUST.',
  'MGT-UNKNOWN-CLIENT-401': UNKNOWN_401,
  'MGT-TOKEN-REVOKED-AFTER-401': 'OBIE states the revocation in the indicative, in the same sentence as the 401 ("responds with an Unauthorized status code and immediately revokes the access token"), with no option, for GET, PUT and DELETE. RFC 7592 2.1 makes revocation a SHOULD in general; OBIE, the profile a bank implements, states it as the behaviour. MUST.',
  'MGT-GET-CLIENT-ID-RECASED': 'The MUST (401 for a client that does not exist) holds, but whether a re-cased ClientId names another client is the bank\'s: RFC 3986 6.2.2.1 leaves path case to the scheme, and a ClientId that is a UUID (the common form) is case-insensitive on input (RFC 9562 4). The pack warns. SHOULD.',
  'PUT-SSA-WRONG-KEY': 'The must of the sentence is the TPP\'s (the PUT carries all the claims). A bank may keep the statement it verified at registration and ignore the one a PUT carries; the pack cannot tell that from trusting a forged one, and no sentence says a PUT\'s statement is verified again. SHOULD.',
  'DEL-TOKEN-ENDPOINT-REFUSED': 'RFC 7592 2.3 says in the indicative that a delete "will invalidate the client_id ... thereby preventing the client_id from being used at ... the token endpoint", and OBIE (its second sentence) that "the ASPSP must delete the client". A deleted client that still gets tokens was not deleted. MUST.',

  // The token endpoint
  'AUTH-METHOD-TLS-CLIENT-AUTH': AUTH_METHOD,
  'AUTH-METHOD-PRIVATE-KEY-JWT': AUTH_METHOD,
  'AUTH-METHOD-CLIENT-SECRET-BASIC': `Its second sentence, RFC 6749 2.3.1, says it of Basic: the server "MUST support the HTTP Basic authentication scheme". ${AUTH_METHOD}`,
  'AUTH-METHOD-CLIENT-SECRET-POST': AUTH_METHOD,
  'TOKEN-TLS-UNTRUSTED-CERT': MTLS_DEFINES,
  'TOKEN-TLS-NO-CERT': MTLS_DEFINES,
  'TOKEN-TLS-OTHER-DN': MTLS_DEFINES,
  // Open Finance Brasil (OBF DCR 1.0 ID3)
  'OBF-SSA-PRECEDENCE': 'Item 10 says "shall", but only "where possible": the SSA names software_client_name, not client_name, so mapping one onto the other is where it is possible, not a value the spec names. A bank keeping the client\'s own name is judged lenient, not wrong. SHOULD.',
  'OBF-SSA-IAT-RECENT': 'A tolerance: the bank must accept the request. Item 3 fixes the limit with "shall" at 5 minutes ("not more than 5 minutes prior"): a statement 4 minutes old is within it, and a bank refusing it refuses what the spec accepts. MUST.',
  'OBF-JWKS-URI-OMITTED': 'A tolerance: the bank must accept the request. Item 5 checks jwks_uri "when informed" and the server defaults "shall populate defaults from values within the software_statement": omitting jwks_uri is allowed, the SSA\'s software_jwks_uri is the default. MUST.',
  'OBF-DN-CASE-FOLDED': 'A tolerance: the bank must accept the request. Item 15 says the bank "shall" compare by distinguishedNameMatch, and "Section 4.2.11 of RFC 4517 (caseIgnoreMatch) must be respected": a DN differing only in case is the same DN under those rules. MUST.',
  'OBF-RAT-ROTATED-OLD-REFUSED': 'The note has no keyword: it describes rotation as making the registration access token single-use, and RFC 7592 3 lets the server rotate (MAY) without a binding word on the old token. A replaced token that still works is not single-use as the note says, yet nothing there says MUST. SHOULD.',
};

/** Why a check's severity needs written reasoning, or undefined when its sentence's keyword says it. */
export function reasoningNeeded(check: Pick<CheckDefinition, 'id' | 'severity' | 'tags' | 'quotes'>): string | undefined {
  const [first] = quotesFor(check) ?? [];
  if (!first) return 'it quotes no sentence';
  const keyword = keywordOf(first);
  if (check.tags.includes('tolerance')) return 'a tolerance: the bank must accept';
  if (!keyword) return 'its sentence has no keyword';
  if (keyword !== check.severity) return `its sentence says ${keyword}, the check is ${check.severity}`;
  return undefined;
}

/** What a check's severity rests on: its first sentence, that sentence's keyword, and the reviewed reasoning if any. */
export interface SeverityBasis {
  severity: Severity;
  quote?: Quote;
  keyword?: Keyword;
  reason?: string;
}

export function severityBasis(check: Pick<CheckDefinition, 'id' | 'severity' | 'quotes'>, reasons: Readonly<Record<string, string>> = severityReasons): SeverityBasis {
  const [quote] = quotesFor(check) ?? [];
  const keyword = quote ? keywordOf(quote) : undefined;
  const reason = Object.hasOwn(reasons, check.id) ? reasons[check.id] : undefined;
  return { severity: check.severity, ...(quote ? { quote } : {}), ...(keyword ? { keyword } : {}), ...(reason ? { reason } : {}) };
}

/** The checks whose severity needs reasoning and has none, each with why it needs it. */
export function unreasoned(checks: readonly Pick<CheckDefinition, 'id' | 'severity' | 'tags' | 'quotes'>[], reasons: Readonly<Record<string, string>> = severityReasons): string[] {
  return checks.flatMap((c) => {
    const why = reasoningNeeded(c);
    return why && !Object.hasOwn(reasons, c.id) ? [`${c.id}: ${why}`] : [];
  });
}
