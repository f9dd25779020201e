import { obie } from './obie';
import type { Profile } from './types';

/**
 * Revolut (seeds 000 and 001, "Get a client ID"): POST /register over mTLS with an
 * `application/jwt` body, "implemented as per the Open Banking: Dynamic Client Registration - v3.1
 * specification"; only tls_client_auth at /token; only PS256 for id_token_signed_response_alg and
 * request_object_signing_alg; "scope ... separated by spaces. The supported scopes are openid
 * (required), accounts, payments and fundsconfirmations". The response has exactly the seed's fields.
 */
export const revolut: Profile = {
  ...obie,
  name: 'revolut',
  description: 'Revolut Open Banking: POST /register over mTLS, application/jwt, tls_client_auth only, PS256 only',
  source: '000_ad2d55fd2970555e.txt, 001_04ec7f01f11c247e.txt',
  specVersion: '3.1',
  registration: {
    ...obie.registration,
    contentTypes: ['application/jwt'],
    requestAlgs: ['PS256'],
    authMethods: ['tls_client_auth'],
    authSigningAlgs: ['PS256'],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    requiredScopes: ['openid'],
    scopeFormat: 'string',
    dnClaims: ['tls_client_auth_dn', 'tls_client_auth_subject_dn'],
    issMaxLength: 22,
    idTokenAlgs: ['PS256'],
    requestObjectAlgs: ['PS256'],
  },
  response: {
    ...obie.response,
    // The seed's table, in its order: iss, iat and exp are those of the registration JWT.
    fields: {
      iss: 'request.iss',
      iat: 'request.iat',
      exp: 'request.exp',
      application_type: 'application_type',
      client_id: 'client_id',
      token_endpoint_auth_method: 'token_endpoint_auth_method',
      tls_client_auth_dn: 'tls_client_auth_subject_dn',
      software_statement: 'software_statement',
      id_token_signed_response_alg: 'id_token_signed_response_alg',
      request_object_signing_alg: 'request_object_signing_alg',
      redirect_uris: 'redirect_uris',
      org_jwks_endpoint: 'ssa.org_jwks_endpoint',
      grant_types: 'grant_types',
      scope: 'scope',
    },
  },
  // Only POST /register is documented.
  management: { get: false, put: false, delete: false },
};
