import express, { type Express } from 'express';
import type { AppDeps } from '../app';
import { ADMIN_PATH, adminRoutes } from '../routes/admin';
import { adminEnabled } from '../config';
import { directoryRoutes } from '../routes/directory';
import { cdrRegisterRoutes } from '../routes/cdr-register';
import { obfDirectoryRoutes } from '../routes/obf-directory';
import { errorHandler, requestContext } from '../http/middleware';
import { NotFound } from '../errors';
import { oneWriteJson } from '../http/respond';

/**
 * The standalone directory (`dcr-mockbank directory`, ROLE=directory): only /directory/* (JWKS,
 * metadata, SSA minting, hosted software JWKS), /health and the admin journal. Banks trust it by
 * DIRECTORY_URL (docs/topology.md).
 */
export function createDirectoryApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  oneWriteJson(app);
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', role: 'directory', issuer: deps.directory.issuer });
  });
  app.use(requestContext({ logger: deps.logger, store: deps.store, journalExcept: ADMIN_PATH }));
  if (adminEnabled(deps.config)) app.use(ADMIN_PATH, adminRoutes(deps));
  app.use(directoryRoutes(deps));
  // The mock CDR Register rides on the directory (its key, its hosted JWKS): /cdr-register/v1/*.
  app.use(cdrRegisterRoutes(deps));
  if (deps.obfDirectory) app.use(obfDirectoryRoutes(deps.obfDirectory, { maxBodyBytes: deps.config.maxBodyBytes, logger: deps.logger }));
  app.use((req) => {
    throw new NotFound(`no route for ${req.method} ${req.path}: this is a standalone directory (its routes are under /directory, /cdr-register and /obf-directory)`);
  });
  app.use(errorHandler(deps.logger));
  return app;
}
