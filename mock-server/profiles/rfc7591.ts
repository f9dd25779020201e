import { obie } from './obie';
import type { Profile } from './types';

/**
 * A plain RFC 7591 / RFC 7592 authorization server, as most are (node-oidc-provider, Keycloak,
 * Hydra, Authlete): POST /register with `application/json` client metadata, a software_statement
 * optional (verified like an SSA when sent: RFC 7591 3.1.1, "the value of a claim in the software
 * statement MUST take precedence"), unknown metadata ignored (RFC 7591 2), 201 with the client
 * information, a registration access token and registration_client_uri; GET / PUT / DELETE there
 * with that token (RFC 7592 2), rotated on PUT only. Discovery also at the RFC 8414 well-known path.
 * Not a seed bank: lets a team test a generic OAuth client (e.g. openid-client) against the mock.
 */
export const rfc7591: Profile = {
  ...obie,
  name: 'rfc7591',
  description: 'Plain RFC 7591 / 7592: JSON client metadata, optional SSA, registration access token',
  paths: { register: '/register', token: '/token', jwks: '/jwks', discovery: ['/.well-known/oauth-authorization-server'] },
  registration: {
    ...obie.registration,
    dialect: 'rfc7591',
    contentTypes: ['application/json'],
    // RFC 7591 2: token_endpoint_auth_method "If unspecified or omitted, the default is client_secret_basic".
    authMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth'],
    defaultAuthMethod: 'client_secret_basic',
    grantTypes: ['authorization_code', 'implicit', 'client_credentials', 'refresh_token'],
    responseTypes: ['code', 'token'],
    defaultResponseTypes: ['code'],
    dnClaims: ['tls_client_auth_subject_dn'],
    // The client certificate is optional: a tls_client_auth registration needs one (REQ-TLS-DN-MATCH).
    mtls: false,
  },
  management: { get: true, put: true, delete: true, rotateRegistrationAccessToken: ['PUT'] },
};
