import express, { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../app';
import { NotFound, OAuthError } from '../errors';
import { rules } from '../../catalogue/rules';
import { UI_CSP, uiAsset } from '../admin/ui-assets';
import { FaultInputError, MAX_DELAY_MS, MAX_FAULTS, MAX_TIMES, STARTUP_ONLY_RULES } from '../admin/runtime-faults';

/**
 * Beside the admin API (routes/admin.ts), under the same /__admin mount and so the same
 * loopback-only rule: the dashboard page, the rule catalogue it names rules from, deleting one
 * client, and runtime faults (admin/runtime-faults.ts).
 */
export function adminUiRoutes(deps: AppDeps): Router {
  const router = Router();
  const faults = deps.runtimeFaults;

  const page = (name: string): RequestHandler => (_req, res) => {
    const asset = uiAsset(name)!;
    res.setHeader('content-type', asset.type);
    res.setHeader('content-security-policy', UI_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    res.status(200).end(asset.body);
  };
  // /__admin and /__admin/ lead to the page.
  router.get('/', (_req, res) => res.redirect(302, '/__admin/ui'));
  router.get('/ui', page('index.html'));
  router.get('/ui/app.js', page('app.js'));
  router.get('/ui/app.css', page('app.css'));

  /** The rule catalogue: titles and error codes, for the dashboard's explanations. */
  router.get('/rules', (_req, res) => {
    res.json({ rules: Object.fromEntries(Object.entries(rules).map(([id, r]) => [id, { title: r.title, error: r.error, spec: r.spec }])) });
  });

  router.delete('/clients/:clientId', async (req, res) => {
    const id = String(req.params.clientId);
    if (!(await deps.store.deleteClient(id))) throw new NotFound(`no client ${JSON.stringify(id)}`);
    const revoked = await deps.store.revokeClientTokens(id);
    deps.logger.info('admin deleted client', { interaction_id: res.locals.interactionId, client_id: id, tokens_revoked: revoked });
    res.status(204).end();
  });

  const listing = () => ({
    faults: faults.list(),
    startup: { mock_faults: deps.config.faults, profile_skips: deps.profile.registration.skipRules },
    skipped_now: faults.skipped(),
    limits: { faults: MAX_FAULTS, delay_ms: MAX_DELAY_MS, times: MAX_TIMES, startup_only_rules: STARTUP_ONLY_RULES },
  });
  router.get('/faults', (_req, res) => {
    res.json(listing());
  });
  const json = express.json({ limit: '64kb', type: () => true });
  router.post('/faults', (req, _res, next) => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return next(new FaultInputError(`send the fault as Content-Type: application/json (got ${JSON.stringify(type || '(none)')})`));
    next();
  }, json, (req, res) => {
    const added = faults.add(req.body);
    deps.logger.info('admin added faults', { interaction_id: res.locals.interactionId, faults: added.map((f) => `${f.id}:${f.kind}`) });
    res.status(201).json(Array.isArray(req.body) ? { faults: added } : added[0]);
  });
  router.delete('/faults', (_req, res) => {
    const n = faults.clear();
    deps.logger.info('admin cleared faults', { interaction_id: res.locals.interactionId, removed: n });
    res.status(204).end();
  });
  router.delete('/faults/:id', (req, res) => {
    const id = String(req.params.id);
    if (!faults.remove(id)) throw new NotFound(`no fault ${JSON.stringify(id)}`);
    res.status(204).end();
  });
  // Any other method on the faults collection: a clear refusal rather than the bank's 404.
  router.all('/faults', (req) => {
    throw new OAuthError('method_not_allowed', 405, `${req.method} /__admin/faults: use GET, POST or DELETE`, { headers: { allow: 'GET, POST, DELETE' } });
  });
  return router;
}
