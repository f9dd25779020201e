import express, { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../app';
import { NotFound } from '../errors';
import { requireClientCertificate } from '../http/middleware';
import type { MintCaller } from '../directory/directory';
import { cdrRegisterOf } from '../directory/cdr-register';
import { seedNumber } from '../core/ids';

const PRODUCT = '/cdr-register/v1/:industry/data-recipients/brands/:brandId/software-products/:softwareProductId';

function callerOf(req: Request, res: Response): MintCaller {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return { ...(res.locals.clientCert ? { certThumbprint: res.locals.clientCert.thumbprint } : {}), ...(m ? { softwareSecret: m[1]! } : {}) };
}

/**
 * The mock CDR Register (mock-server/directory/cdr-register.ts): GET /cdr-register/v1/jwks, the
 * mock-only POST of a software product, and GET .../ssa. Served by the built-in directory and the
 * standalone one; a bank trusting a standalone directory (DIRECTORY_URL) sends callers there.
 */
export function cdrRegisterRoutes(deps: AppDeps): Router {
  const router = Router();
  if (deps.config.directoryUrl && deps.config.role !== 'directory') {
    router.use('/cdr-register', (req) => {
      throw new NotFound(`this bank trusts the directory at ${deps.config.directoryUrl} (DIRECTORY_URL); ${req.method} ${new URL('/cdr-register', deps.config.directoryUrl).href}${req.path === '/' ? '' : req.path} instead`);
    });
    return router;
  }
  const register = cdrRegisterOf(deps.directory, deps.config.seed ? seedNumber(deps.config.seed) : undefined);
  const cert = requireClientCertificate({ skip: true });
  router.get('/cdr-register/v1/jwks', (_req, res) => {
    res.json(register.jwks());
  });
  router.post(PRODUCT, cert, express.json({ limit: deps.config.maxBodyBytes, type: () => true }), async (req, res) => {
    const p = await register.load(String(req.params.industry), String(req.params.brandId), String(req.params.softwareProductId), req.body, callerOf(req, res));
    deps.logger.info('cdr register loaded a software product', { interaction_id: res.locals.interactionId, software_product_id: p.productId, brand_id: p.brandId });
    res.status(201).json({ software_product_id: p.productId, brand_id: p.brandId, industry: p.industry, redirect_uris: p.redirectUris, jwks_uri: p.jwksUri, scope: p.scope });
  });
  router.get(`${PRODUCT}/ssa`, cert, async (req, res) => {
    const ssa = await register.ssa(String(req.params.industry), String(req.params.brandId), String(req.params.softwareProductId), callerOf(req, res));
    res.status(200).type('application/jwt').send(ssa);
  });
  return router;
}
