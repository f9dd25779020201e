import express, { Router } from 'express';
import type { ObfDirectory } from '../directory/obf-directory';
import { OBF_DIRECTORY_PATH } from '../directory/obf-directory';
import { InvalidRequest, NotFound } from '../errors';
import { requireClientCertificate } from '../http/middleware';
import type { Logger } from '../logger';
import { MAX_JSON_DEPTH, jsonDepth } from '../../common/json';

/**
 * The mock Open Finance Brasil directory (docs/directory.md): its key set, the metadata a bank
 * reads, SSA minting (POST, over mutual TLS with an OBF transport certificate, which names the
 * software) and each software's hosted application key set.
 */
export function obfDirectoryRoutes(directory: ObfDirectory, opts: { maxBodyBytes: number; logger: Logger }): Router {
  const router = Router();
  const base = OBF_DIRECTORY_PATH;
  router.get(`${base}/jwks`, (_req, res) => {
    res.json(directory.jwks());
  });
  router.get(`${base}/metadata`, (_req, res) => {
    res.json({ issuer: directory.issuer, jwks_uri: `${directory.baseUrl}/jwks`, ssa_endpoint: `${directory.baseUrl}/ssa`, jwks: directory.jwks() });
  });
  router.post(`${base}/ssa`, requireClientCertificate({}), express.json({ limit: opts.maxBodyBytes, type: () => true }), async (req, res) => {
    if (jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new InvalidRequest(`the body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
    const result = await directory.mint(req.body ?? {}, res.locals.clientCert!.raw);
    opts.logger.info('obf directory minted an SSA', { interaction_id: res.locals.interactionId, software_id: result.software_id, org_id: result.org_id });
    res.status(201).json(result);
  });
  router.get(`${base}/:orgId/:softwareId/application.jwks`, (req, res) => {
    const jwks = directory.softwareJwks(req.params.orgId, req.params.softwareId);
    if (!jwks) throw new NotFound('no such software is registered with this directory');
    res.json(jwks);
  });
  return router;
}
