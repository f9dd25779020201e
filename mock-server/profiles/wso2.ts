import { obie } from './obie';
import type { Profile } from './types';

/** Twenty years: the seed's request exp is 2147483646 (January 2038). */
const TWENTY_YEARS = 20 * 365 * 86_400;

/**
 * WSO2 Open Banking accelerator "Tryout" (seed 002): POST /open-banking/0.1/register
 * (application/jwt, mTLS), the application access token from /oauth2/token with a private_key_jwt
 * client assertion and client_id, GET / PUT / DELETE /open-banking/0.1/register/{ClientId}
 * ("If the Client ID is unknown, the bank responds with an Unauthorized status code", "204 No Content").
 */
export const wso2: Profile = {
  ...obie,
  name: 'wso2',
  description: 'WSO2 Open Banking accelerator: /open-banking/0.1/register, private_key_jwt at /oauth2/token',
  source: '002_13e333ae69fb360a.txt',
  specVersion: '3.1',
  paths: {
    register: '/open-banking/0.1/register',
    token: '/oauth2/token',
    jwks: '/oauth2/jwks',
    discovery: ['/oauth2/token/.well-known/openid-configuration'],
    // The seed: "Issuer ... https://<IS_HOST>:9446/oauth2/token", the prefix of its well-known URL.
    issuer: '/oauth2/token',
  },
  registration: {
    ...obie.registration,
    contentTypes: ['application/jwt'],
    authMethods: ['private_key_jwt', 'tls_client_auth', 'client_secret_basic', 'client_secret_post'],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
    responseTypes: ['code', 'code id_token'],
    maxRequestLifetimeSeconds: TWENTY_YEARS,
  },
  response: {
    ...obie.response,
    // The seed's sample responses, in their order; client_id_issued_at is a string there.
    fields: {
      client_id: 'client_id',
      client_id_issued_at: 'client_id_issued_at',
      redirect_uris: 'redirect_uris',
      grant_types: 'grant_types',
      response_types: 'response_types',
      application_type: 'application_type',
      id_token_signed_response_alg: 'id_token_signed_response_alg',
      request_object_signing_alg: 'request_object_signing_alg',
      scope: 'scope',
      software_id: 'software_id',
      token_endpoint_auth_method: 'token_endpoint_auth_method',
      software_statement: 'software_statement',
      client_secret: 'client_secret',
      client_secret_expires_at: 'client_secret_expires_at',
    },
    idIssuedAtAs: 'string',
  },
  // The token request of the seed asks for "accounts openid" of a client registered with "accounts".
  token: { ...obie.token, extraScopes: ['openid'] },
};
