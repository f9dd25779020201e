import { obie } from './obie';
import type { Profile } from './types';

/**
 * The "CPB" UK DCR PSD2 sandbox (seed 003). "The /register endpoint is protected by an access
 * token" (client_credentials grant of the developer-portal application); Accept, Authorization and
 * client_id headers are required; "the following validations will be deferred to the integration
 * environments: verification of TPP identity, SSA, EIDAS, QSEAL, QWAC certificates, mutual TLS";
 * "This API returns a pair of mock client_id and client_secret"; every response "returns no content".
 */
export const cpbSandbox: Profile = {
  ...obie,
  name: 'cpb-sandbox',
  description: 'CPB UK DCR PSD2 sandbox: token-protected /open-banking/v3.1/register, lenient, 201 with no content',
  source: '003_ba97a13c69be2dea.txt',
  specVersion: '3.1',
  paths: { register: '/open-banking/v3.1/register', token: '/token', jwks: '/jwks' },
  registration: {
    ...obie.registration,
    authMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth'],
    defaultAuthMethod: 'client_secret_basic',
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    // Deferred to the integration environments: TPP identity, SSA, eIDAS/QSEAL/QWAC certificates, mTLS.
    skipRules: [
      'TLS-CERT-REQUIRED', 'TLS-CERT-TRUSTED',
      'SSA-ALG', 'SSA-ISSUER', 'SSA-KID', 'SSA-SIGNATURE', 'SSA-EXP', 'SSA-IAT',
      'JWS-KID', 'JWS-SIGNATURE', 'JWKS-FETCH',
      'REQ-TLS-DN-MATCH', 'TOKEN-TLS-DN', 'MGT-TOKEN-CERT-BOUND',
    ],
    mtls: false,
    requiredHeaders: ['accept', 'authorization', 'client_id'],
    requireAccessToken: true,
    alwaysIssueSecret: true,
  },
  response: {
    ...obie.response,
    body: 'empty',
    credentialHeaders: true,
  },
  errors: {
    envelope: 'empty',
    // The seed's status lists: POST 201/400; GET 200/401/403; PUT 200/400/401/403; DELETE 204/401/403/405.
    // A refusal outside them is answered with the documented status of its kind: on POST a missing or
    // foreign portal token is a 400; on GET and DELETE a missing header is a 401.
    remapStatus: { POST: { 401: 400, 403: 400 }, GET: { 400: 401 }, DELETE: { 400: 401 } },
  },
  management: { get: true, put: true, delete: true },
};
