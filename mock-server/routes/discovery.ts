import { Router } from 'express';
import type { AppDeps } from '../app';

/** OpenID discovery, advertising what this profile really supports. */
export function discoveryRoutes(deps: AppDeps): Router {
  const router = Router();
  const { profile, urls } = deps;
  const reg = profile.registration;
  router.get(['/.well-known/openid-configuration', ...(profile.paths.discovery ?? [])], (_req, res) => {
    res.json({
      issuer: urls.issuer,
      registration_endpoint: urls.register,
      token_endpoint: urls.token,
      jwks_uri: urls.jwks,
      token_endpoint_auth_methods_supported: reg.authMethods,
      token_endpoint_auth_signing_alg_values_supported: reg.authSigningAlgs,
      request_object_signing_alg_values_supported: reg.requestObjectAlgs,
      id_token_signing_alg_values_supported: reg.idTokenAlgs,
      response_types_supported: reg.responseTypes,
      grant_types_supported: reg.grantTypes,
      scopes_supported: reg.scopes,
      subject_types_supported: ['public'],
      claims_parameter_supported: false,
      request_parameter_supported: true,
      tls_client_certificate_bound_access_tokens: true,
    });
  });
  router.get(profile.paths.jwks, (_req, res) => {
    res.json(deps.bankJwks);
  });
  return router;
}
