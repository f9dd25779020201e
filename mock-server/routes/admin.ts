import { Router } from 'express';
import type { AppDeps } from '../app';
import { InvalidRequest, NotFound } from '../errors';
import { preview } from '../core/preview';
import type { ClientRecord } from '../store/types';
import { readableRequest } from '../core/journal';

export const ADMIN_PATH = '/__admin';

/** A registered client as the admin API shows it: never the secret, only whether there is one. */
function adminView(record: ClientRecord): Record<string, unknown> {
  const { client_secret, registration_access_token_hash, ...rest } = record;
  return { ...rest, has_client_secret: client_secret !== undefined, ...(registration_access_token_hash !== undefined ? { has_registration_access_token: true } : {}) };
}

/** The profile as GET /__admin/profile shows it: an initial access token (a credential) only as set. */
function profileView(profile: AppDeps['profile']): AppDeps['profile'] | Record<string, unknown> {
  if (profile.registration.initialAccessToken === undefined) return profile;
  return { ...profile, registration: { ...profile.registration, initialAccessToken: '[redacted]' } };
}

/**
 * `?limit=N` of GET /__admin/journal: the newest N entries. A whole number from 1 up; above the
 * journal's size it is clamped to it (there are no more). Anything else (negative, 0, NaN, a
 * fraction, an exponent, given twice) is refused, 400 invalid_request saying what is accepted.
 */
function journalLimit(raw: unknown, size: number): number | undefined {
  if (raw === undefined) return undefined;
  const text = typeof raw === 'string' ? raw : undefined;
  if (text === undefined || !/^[0-9]{1,16}$/.test(text) || Number(text) < 1) {
    throw new InvalidRequest(`limit ${text === undefined ? '(given more than once)' : preview(text)} must be a whole number from 1 to ${size} (JOURNAL_SIZE; larger is clamped to it)`);
  }
  return Math.min(Number(text), size);
}

/**
 * The admin API for test teams: list and read clients, reset everything, read the request journal.
 * Mounted only when adminEnabled(config) (see config.ts).
 */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/clients', async (_req, res) => {
    res.json({ clients: (await deps.store.listClients()).map(adminView) });
  });
  router.get('/clients/:clientId', async (req, res) => {
    const record = await deps.store.getClient(String(req.params.clientId));
    if (!record) throw new NotFound(`no client ${JSON.stringify(req.params.clientId)}`);
    res.json(adminView(record));
  });
  router.delete('/clients', async (_req, res) => {
    await deps.store.clear();
    deps.logger.info('admin reset', { interaction_id: res.locals.interactionId });
    res.status(204).end();
  });
  router.get('/clients/:clientId/credentials', async (req, res) => {
    const record = await deps.store.getClient(String(req.params.clientId));
    if (!record) throw new NotFound(`no client ${JSON.stringify(req.params.clientId)}`);
    res.json({ client_id: record.client_id, ...(record.client_secret !== undefined ? { client_secret: record.client_secret } : {}) });
  });
  /** Which profile answers on this port, with everything it is configured to do. */
  router.get('/profile', (_req, res) => {
    const { profile, urls, portal } = deps;
    res.json({
      name: profile.name,
      description: profile.description,
      ...(profile.source ? { source: profile.source } : {}),
      spec_version: profile.specVersion,
      urls,
      ...(portal ? { portal: { client_id: portal.record.client_id, client_secret: portal.clientSecret } } : {}),
      profile: profileView(profile),
    });
  });
  router.get('/outbox', async (_req, res) => {
    res.json({ size: deps.outbox.max, smtp: deps.config.smtpUrl ? 'configured' : 'not configured', entries: await deps.outbox.list() });
  });
  router.delete('/outbox', async (_req, res) => {
    await deps.outbox.clear();
    res.status(204).end();
  });
  router.get('/journal', async (req, res) => {
    const limit = journalLimit(req.query.limit, deps.config.journalSize);
    const all = await deps.store.listJournal();
    const entries = (limit === undefined ? all : all.slice(-limit)).map((e) => ({ ...e, request: readableRequest(e.request) }));
    res.json({ size: deps.config.journalSize, ...(limit !== undefined ? { limit } : {}), entries });
  });
  return router;
}
