import type { Profile } from './types';

/** The strict OBIE DCR v3.3 reference: what dcr-rules.md describes, nothing deferred. */
export const obie: Profile = {
  name: 'obie',
  description: 'Strict OBIE DCR v3.3 reference (v3.1 claim forms accepted)',
  specVersion: '3.3',
  basePath: '',
  paths: { register: '/register', token: '/token', jwks: '/jwks' },
  registration: {
    contentTypes: ['application/jose', 'application/jwt'],
    requestAlgs: ['PS256', 'ES256'],
    ssaAlgs: ['PS256'],
    authMethods: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'],
    authSigningAlgs: ['PS256', 'ES256'],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token', 'urn:openid:params:grant-type:ciba'],
    responseTypes: ['code', 'code id_token'],
    defaultResponseTypes: ['code id_token'],
    scopes: ['openid', 'accounts', 'payments', 'fundsconfirmations'],
    requiredScopes: [],
    scopeFormat: 'either',
    dnClaims: ['tls_client_auth_subject_dn', 'tls_client_auth_dn'],
    issMaxLength: 22,
    applicationTypes: ['web', 'mobile'],
    idTokenAlgs: ['PS256', 'ES256'],
    requestObjectAlgs: ['PS256', 'ES256'],
    maxRequestLifetimeSeconds: 86_400,
    skipRules: [],
    mtls: true,
    requiredHeaders: [],
    requireAccessToken: false,
    alwaysIssueSecret: false,
  },
  response: {
    status: 201,
    body: 'client',
    scopeAs: 'string',
    idIssuedAtAs: 'number',
    credentialHeaders: false,
  },
  errors: { envelope: 'oauth' },
  management: { get: true, put: true, delete: true },
  token: {
    // What /token serves, and so what discovery advertises (registration.grantTypes is what may be registered).
    grantTypes: ['client_credentials'],
    accessTokenLifetimeSeconds: 3600,
    // RFC 7523 and FAPI set no ceiling; the OBIE DCR conformance tool signs assertions valid for
    // 30 minutes. An hour accepts it; exp stays required, expired and replayed assertions are
    // refused, and each jti is remembered until its exp (plus the clock skew).
    maxAssertionLifetimeSeconds: 3600,
    extraScopes: [],
  },
};
