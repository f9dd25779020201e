import express, { Router, type Request } from 'express';
import type { AppDeps } from '../app';
import { InvalidRequest, NotFound, OAuthError } from '../errors';
import { requireClientCertificate } from '../http/middleware';
import type { MintCaller } from '../directory/directory';
import { preview } from '../core/preview';
import { MAX_JSON_DEPTH, jsonDepth } from '../../common/json';

/** The software_secret of `Authorization: Bearer <software_secret>`, when sent. */
function bearerSecret(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return m?.[1];
}

/**
 * The built-in mock directory: its JWKS, SSA minting and the hosted software JWKS.
 * POST /directory/ssa needs no client certificate to mint for a new software_id; a certificate
 * presented binds the software_id to it (see docs/directory.md).
 */
export function directoryRoutes(deps: AppDeps): Router {
  const router = Router();
  const { directory } = deps;
  if (deps.config.directoryUrl && deps.config.role !== 'directory') {
    // This bank trusts a standalone directory (DIRECTORY_URL): SSAs minted here would be refused by it.
    router.use('/directory', (req) => {
      throw new NotFound(`this bank trusts the directory at ${deps.config.directoryUrl} (DIRECTORY_URL); ${req.method} ${deps.config.directoryUrl}/directory${req.path === '/' ? '' : req.path} instead`);
    });
    return router;
  }
  router.get('/directory/jwks', (_req, res) => {
    res.json(directory.jwks());
  });
  // What a bank started with DIRECTORY_URL reads at start (docs/topology.md).
  router.get('/directory/metadata', (_req, res) => {
    res.json({
      issuer: directory.issuer,
      jwks_uri: `${directory.baseUrl}/jwks`,
      ssa_endpoint: `${directory.baseUrl}/ssa`,
      software_jwks_endpoint_prefix: `${directory.baseUrl}/software/`,
      jwks: directory.jwks(),
    });
  });
  router.post(
    '/directory/ssa',
    requireClientCertificate({ skip: true }),
    express.json({ limit: deps.config.maxBodyBytes, type: () => true }),
    async (req, res) => {
      // Claims are copied into the SSA, signed and echoed: a body nested too deep would overflow their walks.
      if (jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new InvalidRequest(`the body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
      const secret = bearerSecret(req);
      const caller: MintCaller = {
        ...(res.locals.clientCert ? { certThumbprint: res.locals.clientCert.thumbprint } : {}),
        ...(secret !== undefined ? { softwareSecret: secret } : {}),
      };
      try {
        const result = await directory.mint(req.body ?? {}, caller);
        deps.logger.info('directory minted an SSA', {
          interaction_id: res.locals.interactionId,
          software_id: result.software_id,
          created: result.software_secret !== undefined,
          bound_to_certificate: result.software_secret !== undefined ? Boolean(caller.certThumbprint) : undefined,
        });
        res.status(201).json(result);
      } catch (e) {
        if (e instanceof OAuthError && [403, 409, 429, 503].includes(e.status)) {
          const body = req.body as { software_id?: unknown } | undefined;
          deps.logger.warn('directory refused a mint', {
            interaction_id: res.locals.interactionId,
            software_id: typeof body?.software_id === 'string' ? body.software_id : undefined,
            status: e.status,
            reason: e.description,
          });
        }
        throw e;
      }
    },
  );
  router.get('/directory/software/:softwareId/jwks', (req, res) => {
    const jwks = directory.softwareJwks(req.params.softwareId);
    if (!jwks) throw new NotFound(`no software ${preview(req.params.softwareId)} is registered with this directory`);
    res.json(jwks);
  });
  return router;
}
