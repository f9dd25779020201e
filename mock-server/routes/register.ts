import express, { Router, type Request, type Response, type NextFunction } from 'express';
import type { AppDeps } from '../app';
import { RuleViolation } from '../errors';
import { requireClientCertificate } from '../http/middleware';
import { verifyRegistration, type RegistrationContext } from '../core/verify-registration';
import { clientResponse, newClientRecord, updatedClientRecord } from '../core/clients';
import { authorizeManagement, type Authorized } from '../core/management';

/** Reads the registration JWT body: the profile's content types, not empty, within the cap. */
export function jwtBody(deps: AppDeps) {
  const raw = express.text({ type: () => true, limit: deps.config.maxBodyBytes });
  const accepted = deps.profile.registration.contentTypes;
  return [
    (req: Request, _res: unknown, next: (e?: unknown) => void) => {
      const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!accepted.includes(type)) {
        return next(new RuleViolation('HTTP-CONTENT-TYPE', `Content-Type ${JSON.stringify(type || '(none)')} is not accepted; send ${accepted.join(' or ')}`));
      }
      next();
    },
    raw,
    (req: Request, _res: unknown, next: (e?: unknown) => void) => {
      if (typeof req.body !== 'string' || req.body.trim() === '') return next(new RuleViolation('HTTP-BODY-PRESENT', 'the body is empty; send the signed registration JWT'));
      next();
    },
  ];
}

export function registrationContext(deps: AppDeps, req: Request, certificateDn: string | undefined): RegistrationContext {
  return {
    profile: deps.profile,
    trust: deps.trust,
    fetchJwks: deps.fetchJwks,
    now: deps.now(),
    clockSkewSeconds: deps.config.clockSkewSeconds,
    audiences: deps.audiences,
    certificateDn,
    skip: deps.skip,
    claimJti: (key, exp) => deps.store.claimOnce(key, exp),
  };
}

declare module 'express-serve-static-core' {
  interface Locals {
    authorized?: Authorized;
  }
}

/** Bearer authorization of {register}/{ClientId}: see core/management.ts. */
function bearer(deps: AppDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.authorized = await authorizeManagement(
        { authorization: req.get('authorization'), certThumbprint: res.locals.clientCert?.thumbprint, clientIdInPath: String(req.params.clientId) },
        {
          getToken: (h) => deps.store.getToken(h),
          getClient: (id) => deps.store.getClient(id),
          revokeToken: (h) => deps.store.revokeToken(h),
          skip: deps.skip,
        },
      );
      next();
    } catch (e) {
      next(e);
    }
  };
}

export function registerRoutes(deps: AppDeps): Router {
  const router = Router();
  const path = deps.profile.paths.register;
  const mtls = requireClientCertificate({ skip: deps.skip.has('TLS-CERT-REQUIRED') });
  // GET and DELETE read the certificate only for the token binding; PUT requires mTLS as POST does.
  const certOptional = requireClientCertificate({ skip: true });

  router.post(path, mtls, ...jwtBody(deps), async (req, res) => {
    const reg = await verifyRegistration(req.body as string, registrationContext(deps, req, res.locals.clientCert?.subjectDn));
    const record = newClientRecord(reg, deps.profile, deps.now());
    await deps.store.createClient(record);
    deps.logger.info('client registered', { interaction_id: res.locals.interactionId, client_id: record.client_id, software_id: reg.ssa.softwareId });
    res.status(201).json(clientResponse(record));
  });

  router.get(`${path}/:clientId`, certOptional, bearer(deps), (_req, res) => {
    res.status(200).json(clientResponse(res.locals.authorized!.client));
  });

  router.put(`${path}/:clientId`, mtls, bearer(deps), ...jwtBody(deps), async (req, res) => {
    const { client } = res.locals.authorized!;
    const ctx = { ...registrationContext(deps, req, res.locals.clientCert?.subjectDn), clientIdInPath: client.client_id };
    const reg = await verifyRegistration(req.body as string, ctx);
    const record = updatedClientRecord(client, reg);
    await deps.store.updateClient(record);
    // OBIE PUT: long-lived tokens stay valid; the fault PUT-KEEPS-TOKENS revokes them instead.
    if (deps.skip.has('PUT-KEEPS-TOKENS')) await deps.store.revokeClientTokens(client.client_id);
    deps.logger.info('client updated', { interaction_id: res.locals.interactionId, client_id: record.client_id });
    res.status(200).json(clientResponse(record));
  });

  router.delete(`${path}/:clientId`, certOptional, bearer(deps), async (_req, res) => {
    const { client } = res.locals.authorized!;
    await deps.store.deleteClient(client.client_id);
    const revoked = deps.skip.has('DEL-REVOKES-TOKENS') ? 0 : await deps.store.revokeClientTokens(client.client_id);
    deps.logger.info('client deleted', { interaction_id: res.locals.interactionId, client_id: client.client_id, tokens_revoked: revoked });
    res.status(204).end();
  });

  return router;
}
