import { obie } from './obie';
import type { Profile } from './types';

/**
 * An Australia Consumer Data Right data holder (Consumer Data Standards, DCR APIs): POST
 * /connect/register with a ClientRegistration JWT (application/jwt) over mTLS carrying an SSA of the
 * CDR Register (iss cdr-register, PS256); validation in the CDR order, the first failing step
 * answering 400 {error, error_description} with its ERR-DCR / ERR-GEN code; one client per
 * software_id (ERR-DCR-001); 201 with the CDS RegistrationProperties. GET / PUT / DELETE
 * /connect/register/{clientId} with a certificate-bound client_credentials token (private_key_jwt)
 * of scope cdr:registration; an unknown client is 401 Bearer error="invalid_request". SSAs from the
 * built-in mock CDR Register (/cdr-register/v1, or DIRECTORY_URL's). Departures: docs/profiles.md.
 */
export const cdr: Profile = {
  ...obie,
  name: 'cdr',
  description: 'Australia CDR data holder: application/jwt, CDR Register SSAs, ERR-DCR codes, cdr:registration management',
  paths: { register: '/connect/register', token: '/connect/token', jwks: '/jwks' },
  registration: {
    ...obie.registration,
    dialect: 'cdr',
    contentTypes: ['application/jwt'],
    requestAlgs: ['PS256', 'ES256'],
    ssaAlgs: ['PS256'],
    authMethods: ['private_key_jwt'],
    authSigningAlgs: ['PS256', 'ES256'],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    responseTypes: ['code', 'code id_token'],
    defaultResponseTypes: ['code'],
    scopes: ['openid', 'profile', 'cdr:registration', 'bank:accounts.basic:read', 'bank:accounts.detail:read', 'bank:transactions:read', 'common:customer.basic:read'],
    scopeFormat: 'string',
    applicationTypes: ['web'],
    idTokenAlgs: ['PS256', 'ES256'],
    requestObjectAlgs: ['PS256', 'ES256'],
    // CDS sets no ceiling on exp - iat of the request; an hour, as the mock's other profiles bound it.
    maxRequestLifetimeSeconds: 3600,
    mtls: true,
  },
  management: { get: true, put: true, delete: true },
};
