import https from 'node:https';
import { finished } from 'node:stream';
import getRawBody from 'raw-body';
import { Router, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../app';
import { OAuthError } from '../errors';
import { profileEnvelope, requireClientCertificate } from '../http/middleware';
import { methodNotAllowed } from '../http/methods';
import { randomIds } from '../core/ids';
import { authorizeCdrManagement, cdrClientRecord, cdrClientResponse, verifyCdrRegistration, type CdrContext } from '../core/cdr';
import type { ClientRecord } from '../store/types';
import { deleteClient, managementMethods } from './register';

declare module 'express-serve-static-core' {
  interface Locals {
    /** cdr: the client a management request was authorised for. */
    cdrClient?: ClientRecord;
  }
}

const JWT = 'application/jwt';
const SECTOR_TIMEOUT_MS = 5000;

/** GET of a sector_identifier_uri: 2xx within the deadline, the body discarded (bounded by the deadline). */
function sectorReachable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(url, { timeout: SECTOR_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
      req.destroy();
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The body as text: application/jwt only (CDS: "Content-Type: application/jwt"), within MAX_BODY_BYTES. */
function jwtBody(deps: AppDeps): RequestHandler {
  return async (req, _res, next) => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== JWT) return next(new OAuthError('invalid_client_metadata', 400, `ERR-DCR-002: Content-Type ${JSON.stringify(type.slice(0, 64) || '(none)')} is not accepted; send ${JWT}`));
    try {
      req.body = await getRawBody(req, { limit: deps.config.maxBodyBytes, length: req.get('content-length'), encoding: 'utf8' });
      next();
    } catch {
      req.resume();
      finished(req, () => next(new OAuthError('invalid_client_metadata', 400, `ERR-DCR-004: the body exceeds the ${deps.config.maxBodyBytes} byte limit`)));
    }
  };
}

/**
 * The Australia CDR data holder (profile registration.dialect cdr): POST {register} with a
 * ClientRegistration JWT over mTLS (core/cdr.ts validates it in the CDR order), 201 with the CDS
 * RegistrationProperties; GET / PUT / DELETE {register}/{clientId} with a certificate-bound
 * client_credentials token of scope cdr:registration (the token endpoint is the shared one).
 */
export function cdrRoutes(deps: AppDeps): Router {
  const router = Router();
  const { profile } = deps;
  const path = profile.paths.register;
  const mtls = requireClientCertificate({ skip: !profile.registration.mtls || deps.skip.has('TLS-CERT-REQUIRED') });
  const ids = deps.ids ?? randomIds;
  const context = (self?: ClientRecord): CdrContext => ({
    profile,
    issuer: deps.urls.issuer,
    now: deps.now(),
    clockSkewSeconds: deps.config.clockSkewSeconds,
    // Built in: the directory's key in-process; with DIRECTORY_URL: the standalone Register's JWKS, fetched (its host is the one trusted).
    registerJwks: deps.config.directoryUrl ? () => deps.fetchJwks(new URL('/cdr-register/v1/jwks', deps.config.directoryUrl).href) : () => deps.directory.jwks(),
    fetchJwks: deps.fetchJwks,
    sectorReachable,
    registered: async (softwareId) => (await deps.store.listClients()).some((c) => c.profile === profile.name && c.metadata.software_id === softwareId),
    ...(self ? { self } : {}),
  });
  router.use(path, profileEnvelope);

  router.post(path, profileEnvelope, mtls, jwtBody(deps), async (req, res) => {
    const reg = await verifyCdrRegistration(String(req.body ?? ''), context());
    const record = cdrClientRecord(reg, profile.name, deps.now(), ids.uuid());
    await deps.store.createClient(record);
    deps.logger.info('client registered', { interaction_id: res.locals.interactionId, client_id: record.client_id, software_id: reg.softwareId });
    res.status(201).json(cdrClientResponse(record));
  });
  router.all(path, profileEnvelope, methodNotAllowed(profile.errors, ['POST']));

  const { allowed, supported } = managementMethods(profile);
  const access: RequestHandler = async (req, res, next) => {
    try {
      res.locals.cdrClient = await authorizeCdrManagement(
        { authorization: req.get('authorization'), certThumbprint: res.locals.clientCert?.thumbprint, clientIdInPath: String(req.params.clientId) },
        { getToken: (h) => deps.store.getToken(h), getClient: (id) => deps.store.getClient(id) },
      );
      next();
    } catch (e) {
      next(e);
    }
  };
  const clientPath = `${path}/:clientId`;
  const client = (res: Response) => res.locals.cdrClient!;
  router.get(clientPath, profileEnvelope, supported(profile.management.get, 'GET'), mtls, access, (_req, res) => {
    res.status(200).json(cdrClientResponse(client(res)));
  });
  router.put(clientPath, profileEnvelope, supported(profile.management.put, 'PUT'), mtls, access, jwtBody(deps), async (req, res) => {
    const self = client(res);
    const reg = await verifyCdrRegistration(String(req.body ?? ''), context(self));
    const record = cdrClientRecord(reg, profile.name, deps.now(), self.client_id, self);
    await deps.store.updateClient(record);
    deps.logger.info('client updated', { interaction_id: res.locals.interactionId, client_id: self.client_id });
    res.status(200).json(cdrClientResponse(record));
  });
  router.delete(clientPath, profileEnvelope, supported(profile.management.delete, 'DELETE'), mtls, access, deleteClient(deps, client));
  router.all(clientPath, profileEnvelope, methodNotAllowed(profile.errors, allowed, 'MGT-METHOD-ALLOWED'));
  return router;
}
