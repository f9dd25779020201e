import { q } from './quotes';

/**
 * Sentences of Open Finance Brasil DCR 1.0 (implementers draft 3, specs-seguranca
 * open-banking-brasil-dynamic-client-registration-1_ID3), as published, markdown removed. The
 * specification writes its requirements in lower case ("shall", "should"): conformance/rules/keyword.ts
 * counts them for OBF references.
 */
export const OBF = {
  supports: q('OBF-DCR-7.1', 'The Authorization Server shall support the RFC RFCs Dynamic Client Registration (DCR) [RFC7591], Dynamic Client Management (DCM) [RFC7592] and [OpenID Registration]'),
  mtls: q('OBF-DCR-7.1', 'shall reject dynamic client registration requests not performed over a connection secured with mutual tls using certificates issued by Brazil ICP (production) or the Directory of Participants (sandbox);'),
  ps256: q('OBF-DCR-7.1', 'shall validate that the request contains software_statement JWT signed using the PS256 algorithim issued by the Open Finance Brasil directory of participants;'),
  ssaSignature: q('OBF-DCR-8', "On the Open Finance Brasil structure, this software_statement is signed by the Participants Directory and it's signature MUST be validated by the Authorization Servers using the public keys available on the following session."),
  iat: q('OBF-DCR-7.1', 'shall validate that the software_statement was issued (iat) not more than 5 minutes prior to the request being received;'),
  noJwks: q('OBF-DCR-7.1', 'shall validate that the attribute jwks (key set by value) was not included; but declared as a reference in the jwks_uri attribute;'),
  jwksUri: q('OBF-DCR-7.1', 'shall, when informed, validate that jwks_uri matches the software_jwks_uri provided in the software_statement;'),
  redirect: q('OBF-DCR-7.1', 'shall require and validate that redirect_uris matches or contains a sub set of software_redirect_uris provided in the software_statement;'),
  scopes: q('OBF-DCR-7.1', 'shall validate that the requested scopes are adequate for accredited institutions and their regulatory roles and contained in the software_statement.'),
  precedence: q('OBF-DCR-7.1', 'where possible, shall compare client metadata asserted by a client to the metadata provided in the software_statement, choosing values in the SSA with precedence;'),
  tlsSubjectOnly: q('OBF-DCR-7.1', 'if supporting tls_client_auth client authentication mechanism as defined in [RFC8705] shall only accept tls_client_auth_subject_dn as an indication of the certificate subject value as defined in clause 2.1.2 [RFC8705];'),
  uid: q('OBF-DCR-7.1', 'The value of the field UID of the certificate should match the one sent in the SSA, where the UID field should contain the value of the software_id field of the SSA.'),
  dnMatch: q('OBF-DCR-7.1', 'shall, during the TLS handshake process, use the distinguishedNameMatch rule to compare the DN values as defined in [RFC4517].'),
  defaultsFromSsa: q('OBF-DCR-7.1', 'shall populate defaults from values within the software_statement assertion where possible;'),
  defaultScopes: q('OBF-DCR-7.1', 'shall grant the client permission to the complete set of potential scopes based on the softwares regulatory permissions included in the software_statement;'),
  dnFormat: q('OBF-DCR-7.1.2', 'To address this ambiguity, the Authorization Server shall accept only the AttributeTypes (descriptors) defined in the last paragraph of clause 3 [RFC4514] in string format, it shall also accept in OID format, with their values in ASN.1, all the AttributeTypes defined in Distinguished Name ...'),
  dnReject: q('OBF-DCR-7.1.2', 'In case of non-compliance with these requirements, the Authorization Server shall reject the registration.'),
  reverse: q('OBF-DCR-7.1.2', 'Obtain in reverse order the certificate attributes.'),
  caseIgnore: q('OBF-DCR-7.2', 'Section 4.2.11 of RFC 4517 (caseIgnoreMatch) must be respected.'),
  roleTable: q('OBF-DCR-7.2', 'If the scopes are omitted during the DCR process, the authorization server shall grant the complete set of potential scopes based on the registering bank\'s regulatory roles, as described in the Server Defaults section.'),
  alias: q('OBF-DCR-6', 'shall advertise mtls_endpoint_aliases as per clause 5 [RFC8705] the token_endpoint, registration_endpoint and userinfo_endpoint;'),
  controls: q('OBF-DCR-9.3', 'To extend [RFC7591] and [RFC7592], which recommend minimum mechanisms for authentication of their services, institutions that support the registration flows and dynamic maintenance of clients must implement the following controls:'),
  rat: q('OBF-DCR-9.3', 'issue, on the registry response, a registration_access_token to be used as an authentication token on maintaining operations of the registered client application, following specifications described in [RFC7592].'),
  ratMatch: q('OBF-DCR-9.3', 'Validate the presence and matching of the Bearer header Authorization containing the value of the registration_access_token attribute returned during registration of the corresponding client.'),
  managementChecks: q('OBF-DCR-9.3', 'Carry out the validations of sub-items 1, 3, 4, and 6 of item 9.3.1.'),
  certChain: q('OBF-DCR-9.3', 'validate that the certificate presented by the client application is subordinate to the ICP-Brasil chains defined in the Open Finance Brasil Certificates Standard;'),
  singleUse: q('OBF-DCR-9.3', 'Note: [RFC7592] provides the possibility of rotating the registration_access_token issued by the Authorization Server with each use, making it a single-use token.'),
};
