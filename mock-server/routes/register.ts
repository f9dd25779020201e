import express, { Router, type Request } from 'express';
import type { AppDeps } from '../app';
import { RuleViolation } from '../errors';
import { requireClientCertificate } from '../http/middleware';
import { verifyRegistration, type RegistrationContext } from '../core/verify-registration';
import { clientResponse, newClientRecord } from '../core/clients';

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

export function registerRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post(
    deps.profile.paths.register,
    requireClientCertificate({ skip: deps.skip.has('TLS-CERT-REQUIRED') }),
    ...jwtBody(deps),
    async (req, res) => {
      const reg = await verifyRegistration(req.body as string, registrationContext(deps, req, res.locals.clientCert?.subjectDn));
      const record = newClientRecord(reg, deps.profile, deps.now());
      await deps.store.createClient(record);
      deps.logger.info('client registered', { interaction_id: res.locals.interactionId, client_id: record.client_id, software_id: reg.ssa.softwareId });
      res.status(201).json(clientResponse(record));
    },
  );
  return router;
}
