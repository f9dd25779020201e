import express, { Router, type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import type { AppDeps } from '../app';
import { RuleViolation } from '../errors';
import { requireClientCertificate } from '../http/middleware';
import { broken, tokenAnswer } from '../faults';
import { methodNotAllowed } from '../http/methods';
import { clientCredentialsGrant, tokenChallenge } from '../core/token';
import { requestClaims } from '../store/once';
import type { ClientRecord } from '../store/types';
import { tokenTrace } from '../core/rule-trace';
import type { RuleId } from '../../catalogue/rules';

const FORM = 'application/x-www-form-urlencoded';

/** Reads an application/x-www-form-urlencoded body within the cap; anything else is invalid_request. */
export function formBody(deps: AppDeps) {
  const parse = express.urlencoded({ extended: false, limit: deps.config.maxBodyBytes, parameterLimit: 100, type: () => true });
  return (req: Request, res: Response, next: NextFunction) => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== FORM) return next(new RuleViolation('TOKEN-REQUEST-FORMAT', `Content-Type ${JSON.stringify(type || '(none)')} is not accepted; send ${FORM}`));
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { type?: string; limit?: number };
      next(new RuleViolation('TOKEN-REQUEST-FORMAT', e.type === 'entity.too.large' ? `the body exceeds the ${e.limit ?? ''} byte limit` : `the body could not be read (${e.type ?? 'malformed'})`));
    });
  };
}

/** The auth methods a client may use at /token: the developer-portal application its own, others the profile's (AUTH_METHODS). */
function offeredMethods(deps: AppDeps, client: ClientRecord | undefined): readonly string[] {
  if (client && deps.portal && client.client_id === deps.portal.record.client_id) return [deps.portal.record.metadata.token_endpoint_auth_method];
  return deps.profile.registration.authMethods;
}

/**
 * Runs the grant and keeps, for the journal, every rule the request was checked against: the client's
 * registered auth method (when the client_id names one) tells which method rules ran.
 */
async function traced<T extends { client: ClientRecord }>(deps: AppDeps, res: Response, form: Record<string, unknown>, grant: () => Promise<T>): Promise<T> {
  const methodOf = async (id: unknown) => (typeof id === 'string' && id ? (await deps.store.getClient(id).catch(() => undefined))?.metadata.token_endpoint_auth_method : undefined);
  try {
    const issued = await grant();
    // The client the grant authenticated, not read from the store (and parsed) a second time; the
    // developer-portal application is no stored client, and its trace names no method, as before.
    const portal = deps.portal && issued.client.client_id === deps.portal.record.client_id;
    res.locals.trace = tokenTrace(portal ? undefined : issued.client.metadata.token_endpoint_auth_method, undefined, deps.skip);
    return issued;
  } catch (e) {
    const rule = (e as { rule?: RuleId }).rule;
    if (rule) res.locals.trace = tokenTrace(await methodOf(form.client_id), rule, deps.skip);
    throw e;
  }
}

/**
 * POST {token}'s handlers, in order: mounted on the router and run by the app's fast route
 * (http/fast-route.ts). client_credentials for registered clients (RFC 6749 4.4), tokens bound to
 * the mTLS certificate.
 */
export function tokenPost(deps: AppDeps): RequestHandler[] {
  return [
    (_req, res, next) => {
      // Any 401 before client authentication runs still names the methods this bank offers (errorHandler).
      res.locals.challenge = tokenChallenge(deps.profile.registration.authMethods);
      next();
    },
    requireClientCertificate({ skip: true }),
    formBody(deps),
    async (req, res) => {
      const cert = res.locals.clientCert;
      const claims = requestClaims(deps.store);
      const form = (req.body ?? {}) as Record<string, unknown>;
      const issued = await traced(deps, res, form, () => clientCredentialsGrant(
        {
          form,
          authorization: req.get('authorization'),
          cert: cert && { subjectDn: cert.subjectDn, thumbprint: cert.thumbprint, authorized: cert.authorized },
        },
        {
          profile: deps.profile,
          getClient: async (id) => (deps.portal && id === deps.portal.record.client_id ? deps.portal.record : deps.store.getClient(id)),
          fetchJwks: deps.fetchJwks,
          claimJti: claims.claim,
          now: deps.now(),
          clockSkewSeconds: deps.config.clockSkewSeconds,
          audiences: [deps.urls.token, deps.urls.issuer],
          offeredMethods: (client) => offeredMethods(deps, client),
          skip: deps.skip,
        },
      ));
      // Full of live tokens: 503 with Retry-After (no other client's token is revoked), the assertion's jti released.
      await claims.storing(() => deps.store.saveToken(issued.record));
      deps.logger.info('access token issued', {
        interaction_id: res.locals.interactionId,
        client_id: issued.record.client_id,
        scope: issued.record.scope,
        certificate_bound: issued.record.cnf !== undefined,
      });
      res.setHeader('pragma', 'no-cache');
      // Fault (test-only): a cacheable token answer.
      if (broken(deps.skip, 'TOKEN-NO-STORE')) {
        res.setHeader('cache-control', 'public, max-age=300');
        res.removeHeader('pragma');
      }
      res.status(200).json(tokenAnswer(issued.response, deps.skip));
    },
  ];
}

export function tokenRoutes(deps: AppDeps, post: RequestHandler[] = tokenPost(deps)): Router {
  const router = Router();
  router.post(deps.profile.paths.token, ...post);
  router.all(deps.profile.paths.token, methodNotAllowed(deps.profile.errors, ['POST']));
  return router;
}
