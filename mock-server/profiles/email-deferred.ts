import { obie } from './obie';
import type { ErrorClass, Profile } from './types';

const RequestFormatInvalid: ErrorClass = { category: 'RequestFormatInvalid', code: 400 };
const WrongRequiredFields: ErrorClass = { category: 'WrongRequiredFields', code: 401 };
const AccessDenied: ErrorClass = { category: 'AccessDenied', code: 401 };
const NotFound: ErrorClass = { category: 'NotFound', code: 404 };
const Invalid: ErrorClass = { category: 'Invalid', code: 406 };

/**
 * A bank's "Dedicated Interface" TPP registration (seed 004): POST
 * /api/open-banking/v3.1/tpp/register with `Content-Type: application/jwt`, answered
 * `{"message":"Request is processed. We will send the response via email."}` ("Upon successful
 * request, 200 status code will be returned"); errors in a `tppMessages` list with the seed's
 * classes. The result (the client's credentials, or the list of errors) is emailed to the SSA's
 * technical contact.
 */
export const emailDeferred: Profile = {
  ...obie,
  name: 'email-deferred',
  description: 'Dedicated-interface TPP registration: 200 "we will send the response via email", tppMessages errors',
  source: '004_c44282e21d728e68.txt',
  specVersion: '3.1',
  paths: { register: '/api/open-banking/v3.1/tpp/register', token: '/api/open-banking/v3.1/tpp/token', jwks: '/api/open-banking/v3.1/tpp/jwks' },
  registration: {
    ...obie.registration,
    contentTypes: ['application/jwt'],
    requestAlgs: ['RS256', 'PS256'],
    authMethods: ['client_secret_basic', 'private_key_jwt'],
    defaultAuthMethod: 'client_secret_basic',
    authSigningAlgs: ['RS256', 'PS256'],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    defaultResponseTypes: ['code'],
    scopeFormat: 'string',
    idTokenAlgs: ['RS256', 'PS256'],
    requestObjectAlgs: ['RS256', 'PS256'],
    // jti is not among the seed's request parameters.
    skipRules: ['REQ-JTI'],
    mtls: false,
    deferred: {
      channel: 'email',
      status: 200,
      ack: { message: 'Request is processed. We will send the response via email.' },
      contactType: 'technical',
    },
  },
  response: { ...obie.response, status: 200 },
  errors: {
    envelope: 'tppMessages',
    classes: {
      'HTTP-CONTENT-TYPE': RequestFormatInvalid,
      'HTTP-BODY-PRESENT': RequestFormatInvalid,
      'HTTP-BODY-SIZE': RequestFormatInvalid,
      'HTTP-REQUIRED-HEADERS': RequestFormatInvalid,
      'JWS-FORMAT': RequestFormatInvalid,
      'SSA-FORMAT': RequestFormatInvalid,
      'REQ-ISS-FORMAT': RequestFormatInvalid,
      'REQ-SCOPE-FORMAT': RequestFormatInvalid,
      'REQ-ISS': WrongRequiredFields,
      'SSA-PRESENT': WrongRequiredFields,
      'SSA-CLAIMS': WrongRequiredFields,
      'SSA-CONTACT': WrongRequiredFields,
      'REQ-REDIRECT-PRESENT': WrongRequiredFields,
      'JWS-ALG': AccessDenied,
      'JWS-NO-X5': AccessDenied,
      'JWS-KID': AccessDenied,
      'JWS-SIGNATURE': AccessDenied,
      'SSA-ALG': AccessDenied,
      'SSA-KID': AccessDenied,
      'SSA-SIGNATURE': AccessDenied,
      'SSA-ISSUER': NotFound,
      'JWKS-FETCH': NotFound,
    },
    defaultClass: Invalid,
    notFound: { category: 'ResourceUnknown', code: 404, text: 'The addressed resource is unknown relative to the TPP.' },
    // The seed's classes are 400, 401, 404 and 406, no 405: another method on its path is an unknown resource.
    wrongMethod: 'not-found',
  },
  management: { get: false, put: false, delete: false },
};
