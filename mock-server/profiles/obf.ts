import { rfc7591 } from './rfc7591';
import { OBF_SCOPES } from '../core/obf';
import type { Profile } from './types';

/**
 * An Open Finance Brasil authorization server (DCR 1.0, implementers draft 3 of
 * OpenBanking-Brasil/specs-seguranca): POST /register over mutual TLS with JSON client metadata
 * carrying the Directory of Participants' software_statement (PS256, iat at most 5 minutes old);
 * keys only by reference (jwks_uri, equal to software_jwks_uri); redirect_uris a subset of
 * software_redirect_uris; scopes from software_statement_roles (DADOS, PAGTO, CONTA, CCORR), the
 * full allowed set when omitted; tls_client_auth with tls_client_auth_subject_dn only, in the strict
 * RFC 4514 form (#hex for the OID attributes), matched by distinguishedNameMatch; the certificate's
 * UID the software_id and organizationIdentifier OFBBR-<org_id>. RFC 7592 management with the
 * registration access token (rotated on PUT, not on GET), over mutual TLS too. Registration and
 * token endpoints are advertised in mtls_endpoint_aliases. Errors are RFC 7591 codes. Not a seed
 * bank: departures from the official rules are listed in docs/profiles.md.
 */
export const obf: Profile = {
  ...rfc7591,
  name: 'obf',
  description: 'Open Finance Brasil DCR 1.0: JSON metadata with a directory SSA over mTLS, registration access token',
  paths: { register: '/register', token: '/token', jwks: '/jwks' },
  registration: {
    ...rfc7591.registration,
    dialect: 'obf',
    mtlsEndpointAliases: true,
    requireSoftwareStatement: true,
    // Item 2: "signed using the PS256 algorithim".
    ssaAlgs: ['PS256'],
    authMethods: ['private_key_jwt', 'tls_client_auth'],
    defaultAuthMethod: 'private_key_jwt',
    authSigningAlgs: ['PS256'],
    // FAPI 1.0 Advanced (OBF's profile): the hybrid flow, or code.
    responseTypes: ['code id_token', 'code'],
    scopes: OBF_SCOPES,
    dnClaims: ['tls_client_auth_subject_dn'],
    mtls: true,
  },
  management: { get: true, put: true, delete: true, rotateRegistrationAccessToken: ['PUT'] },
};
