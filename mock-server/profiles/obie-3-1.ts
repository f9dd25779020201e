import { obie } from './obie';
import type { Profile } from './types';

/**
 * OBIE DCR v3.1: `application/jwt` only, `tls_client_auth_dn`, scope as an array of strings,
 * iss / software_id at most 18 Base62 characters; answered with the same v3.1 names and shapes.
 */
export const obie31: Profile = {
  ...obie,
  name: 'obie-3.1',
  description: 'OBIE DCR v3.1: application/jwt, tls_client_auth_dn, scope array, 18-character iss',
  specVersion: '3.1',
  registration: {
    ...obie.registration,
    contentTypes: ['application/jwt'],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    scopeFormat: 'array',
    dnClaims: ['tls_client_auth_dn'],
    issMaxLength: 18,
  },
  response: {
    ...obie.response,
    rename: { tls_client_auth_subject_dn: 'tls_client_auth_dn' },
    scopeAs: 'array',
  },
};
