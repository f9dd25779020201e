import { Router } from 'express';
import type { AppDeps } from '../app';
import { requireClientCertificate } from '../http/middleware';
import { broken, discoveryDocument } from '../faults';
import { methodNotAllowed } from '../http/methods';

/**
 * OpenID discovery, advertising what this profile really serves. The mock is a DCR sandbox with a
 * token endpoint and no authorization endpoint: grant_types_supported names only the grants /token
 * serves (profile token.grantTypes), and authorization_endpoint is absent, as RFC 8414 2 allows
 * when no supported grant uses it. response_types_supported, REQUIRED by OIDC Discovery 3 and
 * RFC 8414 2, lists the response_types a client may register (registration.responseTypes); the
 * request parameter is not supported, there being no authorization request. See docs/profiles.md.
 */
export function discoveryRoutes(deps: AppDeps): Router {
  const router = Router();
  const { profile, urls } = deps;
  const reg = profile.registration;
  // Fault DISC-PUBLIC (test-only): discovery demands a client certificate.
  const cert = requireClientCertificate({ skip: !broken(deps.skip, 'DISC-PUBLIC') });
  const discoveryPaths = ['/.well-known/openid-configuration', ...(profile.paths.discovery ?? [])];
  router.get(discoveryPaths, cert, (_req, res) => {
    res.json(discoveryDocument({
      issuer: urls.issuer,
      registration_endpoint: urls.register,
      ...(reg.mtlsEndpointAliases ? { mtls_endpoint_aliases: { registration_endpoint: urls.register, token_endpoint: urls.token } } : {}),
      token_endpoint: urls.token,
      jwks_uri: urls.jwks,
      token_endpoint_auth_methods_supported: reg.authMethods,
      token_endpoint_auth_signing_alg_values_supported: reg.authSigningAlgs,
      request_object_signing_alg_values_supported: reg.requestObjectAlgs,
      id_token_signing_alg_values_supported: reg.idTokenAlgs,
      response_types_supported: reg.responseTypes,
      grant_types_supported: profile.token.grantTypes,
      scopes_supported: reg.scopes,
      subject_types_supported: ['public'],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      // What the token endpoint does: the fault TOKEN-CERT-BOUND issues unbound tokens.
      tls_client_certificate_bound_access_tokens: !deps.skip.has('TOKEN-CERT-BOUND'),
    }, deps.skip));
  });
  router.get(profile.paths.jwks, async (_req, res) => {
    res.json(await deps.bankJwks());
  });
  router.all([...discoveryPaths, profile.paths.jwks], methodNotAllowed(profile.errors, ['GET']));
  return router;
}
