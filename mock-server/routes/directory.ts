import express, { Router } from 'express';
import type { AppDeps } from '../app';
import { InvalidRequest, NotFound } from '../errors';
import { MAX_JSON_DEPTH, jsonDepth, preview } from '../core/preview';

/** The built-in mock directory: its JWKS, SSA minting and the hosted software JWKS. */
export function directoryRoutes(deps: AppDeps): Router {
  const router = Router();
  const { directory } = deps;
  router.get('/directory/jwks', (_req, res) => {
    res.json(directory.jwks());
  });
  router.post('/directory/ssa', express.json({ limit: deps.config.maxBodyBytes, type: () => true }), async (req, res) => {
    // Claims are copied into the SSA, signed and echoed: a body nested too deep would overflow their walks.
    if (jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new InvalidRequest(`the body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
    const result = await directory.mint(req.body ?? {});
    res.status(201).json(result);
  });
  router.get('/directory/software/:softwareId/jwks', (req, res) => {
    const jwks = directory.softwareJwks(req.params.softwareId);
    if (!jwks) throw new NotFound(`no software ${preview(req.params.softwareId)} is registered with this directory`);
    res.json(jwks);
  });
  return router;
}
