import { Router } from 'express';
import type { AppDeps } from '../app';
import { requireClientCertificate } from '../http/middleware';
import { broken, discoveryDocument } from '../faults';

/** OpenID discovery, advertising what this profile really supports. */
export function discoveryRoutes(deps: AppDeps): Router {
  const router = Router();
  const { profile, urls } = deps;
  const reg = profile.registration;
  // Fault DISC-PUBLIC (test-only): discovery demands a client certificate.
  const cert = requireClientCertificate({ skip: !broken(deps.skip, 'DISC-PUBLIC') });
  router.get(['/.well-known/openid-configuration', ...(profile.paths.discovery ?? [])], cert, (_req, res) => {
    res.json(discoveryDocument({
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
      // What the token endpoint does: the fault TOKEN-CERT-BOUND issues unbound tokens.
      tls_client_certificate_bound_access_tokens: !deps.skip.has('TOKEN-CERT-BOUND'),
    }, deps.skip));
  });
  router.get(profile.paths.jwks, async (_req, res) => {
    res.json(await deps.bankJwks());
  });
  return router;
}
