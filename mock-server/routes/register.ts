import { finished } from 'node:stream';
import getRawBody from 'raw-body';
import { Router, type Request, type Response, type RequestHandler } from 'express';
import type { AppDeps } from '../app';
import { OAuthError, RuleViolation } from '../errors';
import { profileEnvelope, requireClientCertificate } from '../http/middleware';
import { verifyRegistration, type RegistrationContext } from '../core/verify-registration';
import { clientResponse, newClientRecord, updatedClientRecord } from '../core/clients';
import { authorizeManagement, type Authorized } from '../core/management';
import { deferredRecipient } from '../core/deferred';
import { renderError } from '../core/error-envelope';
import type { ClientRecord } from '../store/types';
import { requestClaims, type RequestClaims } from '../store/once';
import { CREDENTIAL_HEADERS } from '../profiles/types';
import { asJws, broken, registrationAnswer } from '../faults';
import { RuleTrace, registrationTrace } from '../core/rule-trace';
import { methodNotAllowed } from '../http/methods';

/**
 * Reads the registration JWT body in one step: the profile's content types, identity encoding,
 * within the byte cap, not empty. raw-body is what express.text() reads with; calling it directly
 * skips the charset and inflate machinery a compact JWS (ASCII, never compressed) has no use for,
 * and it keeps the same error types (entity.too.large) that errorHandler turns into refusals.
 */
export function jwtBody(deps: AppDeps): RequestHandler {
  const accepted = deps.profile.registration.contentTypes;
  const limit = deps.config.maxBodyBytes;
  return async (req, _res, next) => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!accepted.includes(type)) {
      return next(new RuleViolation('HTTP-CONTENT-TYPE', `Content-Type ${JSON.stringify(type || '(none)')} is not accepted; send ${accepted.join(' or ')}`));
    }
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      return next(new OAuthError('invalid_request', 400, `Content-Encoding ${JSON.stringify(encoding)} is not supported; send the JWT uncompressed`));
    }
    let body: string;
    try {
      body = await getRawBody(req, { limit, length: req.get('content-length'), encoding: 'utf8' });
    } catch (e) {
      // As body-parser does: read off the rest of the body, then refuse, so that the client
      // sees the answer instead of a connection torn down mid-upload (requestTimeout bounds it).
      req.resume();
      return finished(req, () => next(e));
    }
    if (body.trim() === '') return next(new RuleViolation('HTTP-BODY-PRESENT', 'the body is empty; send the signed registration JWT'));
    req.body = body;
    next();
  };
}

export function registrationContext(deps: AppDeps, req: Request, certificateDn: string | undefined, claims: RequestClaims = requestClaims(deps.store)): RegistrationContext {
  return {
    profile: deps.profile,
    trust: deps.trust,
    fetchJwks: deps.fetchJwks,
    now: deps.now(),
    clockSkewSeconds: deps.config.clockSkewSeconds,
    audiences: deps.audiences,
    certificateDn,
    skip: deps.skip,
    claimJti: claims.claim,
    // The rules checked, for the admin journal; not where the checks run after the answer (deferred: the outbox has the result).
    ...(req.res && !deps.profile.registration.deferred ? { trace: registrationTrace(req.res.locals, deps.profile.registration, deps.skip, req.method === 'PUT') } : {}),
    ...(req.res ? { onDecoded: (decoded) => void (req.res!.locals.requestJws = decoded) } : {}),
  };
}

declare module 'express-serve-static-core' {
  interface Locals {
    authorized?: Authorized;
  }
}

/** Bearer authorization of a client: see core/management.ts. */
function authorize(deps: AppDeps, req: Request, res: Response, clientId: string, getClient: (id: string) => Promise<ClientRecord | undefined>) {
  return authorizeManagement(
    { authorization: req.get('authorization'), certThumbprint: res.locals.clientCert?.thumbprint, clientIdInPath: clientId },
    { getToken: (h) => deps.store.getToken(h), getClient, revokeToken: (h) => deps.store.revokeToken(h), skip: deps.skip, trace: (res.locals.trace ??= new RuleTrace()) },
  );
}

/** Bearer authorization of {register}/{ClientId}. */
function bearer(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      res.locals.authorized = await authorize(deps, req, res, String(req.params.clientId), (id) => deps.store.getClient(id));
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** The profile's required headers (Accept must admit application/json). */
export function requiredHeaders(deps: AppDeps): RequestHandler {
  const names = deps.profile.registration.requiredHeaders;
  return (req, _res, next) => {
    const missing = names.filter((h) => !req.get(h)?.trim());
    if (missing.length) return next(new RuleViolation('HTTP-REQUIRED-HEADERS', `required header${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`));
    if (names.includes('accept') && !req.accepts('application/json')) {
      return next(new RuleViolation('HTTP-REQUIRED-HEADERS', `Accept ${JSON.stringify(req.get('accept'))} does not admit application/json`));
    }
    next();
  };
}

/** POST {register} protected by a client_credentials token of the developer-portal application, named by the client_id header. */
function portalToken(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const portal = deps.portal;
    if (!deps.profile.registration.requireAccessToken || !portal) return next();
    try {
      const named = req.get('client_id');
      if (named !== undefined && named !== portal.record.client_id) {
        throw new RuleViolation('REG-ACCESS-TOKEN', `client_id ${JSON.stringify(named)} is not the developer-portal application`);
      }
      await authorize(deps, req, res, portal.record.client_id, async (id) => (id === portal.record.client_id ? portal.record : undefined));
      next();
    } catch (e) {
      if (e instanceof RuleViolation && e.rule !== 'REG-ACCESS-TOKEN') {
        return next(new RuleViolation('REG-ACCESS-TOKEN', `${e.description.replace(/^[A-Z0-9-]+: /, '')} (a client_credentials token of the developer-portal application is required)`, { headers: e.headers }));
      }
      next(e);
    }
  };
}

/** 201 (or the profile's status) with the client, or with no body and the credentials in headers. */
function sendClient(deps: AppDeps, res: Response, record: ClientRecord) {
  const shape = deps.profile.response;
  if (shape.credentialHeaders) {
    res.setHeader('location', `${deps.urls.register}/${encodeURIComponent(record.client_id)}`);
    res.setHeader(CREDENTIAL_HEADERS.clientId, record.client_id);
    if (record.client_secret !== undefined) res.setHeader(CREDENTIAL_HEADERS.clientSecret, record.client_secret);
  }
  if (shape.body === 'empty') return res.status(shape.status).end();
  const answer = registrationAnswer(shape.status, clientResponse(record, deps.profile), deps.skip);
  if (answer.json) res.status(answer.status).json(answer.body);
  else res.status(answer.status).type('application/jwt').send(asJws(answer.body));
}

/** Failures meaning the SSA is not the trusted directory's: its org_contacts could be anyone's. */
const UNVERIFIED_SSA: ReadonlySet<string> = new Set(['SSA-FORMAT', 'SSA-ALG', 'SSA-ISSUER', 'SSA-KID', 'SSA-SIGNATURE']);

/**
 * A bank that emails its result: verify everything, then send the client or every failed rule to
 * the SSA's contact, but only when the SSA's issuer and signature verified; otherwise the result
 * is kept in the outbox, undelivered (an unverified SSA would make the bank mail anyone).
 */
async function completeDeferred(deps: AppDeps, jws: string, ctx: RegistrationContext, to: string, ref: string, claims: RequestClaims): Promise<void> {
  let subject: string;
  let result: unknown;
  let unverified: string | undefined;
  try {
    const reg = await verifyRegistration(jws, { ...ctx, collect: true });
    const record = newClientRecord(reg, deps.profile, deps.now(), deps.ids);
    await claims.storing(() => deps.store.createClient(record));
    deps.logger.info('client registered', { interaction_id: ref, client_id: record.client_id, software_id: reg.ssa.softwareId });
    subject = 'TPP registration: client created';
    result = clientResponse(record, deps.profile);
  } catch (e) {
    if (!(e instanceof OAuthError)) {
      deps.logger.error('deferred registration failed', { interaction_id: ref, error: (e as Error)?.message });
      e = new OAuthError('server_error', 500, 'An unexpected error occurred.');
      unverified = 'the registration failed unexpectedly before the software_statement was known to be verified';
    } else if (e instanceof RuleViolation) {
      const failed = (e.related.length ? e.related : [e]).map((v) => v.rule).filter((r) => UNVERIFIED_SSA.has(r));
      if (failed.length) unverified = `the software_statement did not verify (${[...new Set(failed)].join(', ')}): its org_contacts are not the directory's, so nobody is emailed`;
    }
    subject = 'TPP registration: refused';
    result = renderError(e as OAuthError, deps.profile.errors).body;
  }
  if (unverified) deps.mailer.keep({ to, subject, result, ref }, unverified);
  else await deps.mailer.send({ to, subject, result, ref });
}

/**
 * The WWW-Authenticate challenge of a 401 from POST {register} (RFC 7235 3.1): the credential the
 * request lacks. Bearer where the profile protects registration with a portal token; mTLS where a
 * client certificate is required (no HTTP scheme exists for it: the scheme names the mechanism);
 * otherwise JWS: a bank whose refusals of the signed request itself are 401s (email-deferred).
 */
export function registrationChallenge(profile: AppDeps['profile']): string {
  const reg = profile.registration;
  if (reg.requireAccessToken) return 'Bearer realm="register"';
  if (reg.mtls) return 'mTLS realm="register"';
  return 'JWS realm="register"';
}

/** The management methods the profile switches on, and a guard answering 405 with Allow for one switched off. */
export function managementMethods(profile: AppDeps['profile']): { allowed: string[]; supported: (on: boolean, method: string) => RequestHandler } {
  const m = profile.management;
  const allowed = [m.get && 'GET', m.put && 'PUT', m.delete && 'DELETE'].filter((x): x is string => Boolean(x));
  const allow = allowed.join(', ');
  const supported = (on: boolean, method: string): RequestHandler => (_req, _res, next) =>
    next(on ? undefined : new RuleViolation('MGT-METHOD-ALLOWED', `${method} is not supported by this bank (allowed: ${allow})`, { headers: { allow } }));
  return { allowed, supported };
}

/** DELETE {register}/{ClientId} once authorized (RFC 7592 2.3, OBIE): 204, the client removed and its tokens revoked. */
export function deleteClient(deps: AppDeps, clientOf: (res: Response) => ClientRecord): RequestHandler {
  return async (_req, res) => {
    const client = clientOf(res);
    if (broken(deps.skip, 'MGT-DELETE')) return void res.status(200).end(); // fault (test-only): 200, and the client stays
    await deps.store.deleteClient(client.client_id);
    const revoked = deps.skip.has('DEL-REVOKES-TOKENS') ? 0 : await deps.store.revokeClientTokens(client.client_id);
    deps.logger.info('client deleted', { interaction_id: res.locals.interactionId, client_id: client.client_id, tokens_revoked: revoked });
    res.status(204).end();
  };
}

/** A handler naming the WWW-Authenticate challenge of this route's 401s (errorHandler adds it). */
const challenge = (value: string): RequestHandler => (_req, res, next) => {
  res.locals.challenge = value;
  next();
};

/** POST {register}'s handlers, in order: mounted on the router and run by the app's fast route (http/fast-route.ts). */
export function registrationPost(deps: AppDeps): RequestHandler[] {
  const { profile } = deps;
  const mtls = requireClientCertificate({ skip: !profile.registration.mtls || deps.skip.has('TLS-CERT-REQUIRED') });
  const deferred = profile.registration.deferred;
  return [profileEnvelope, challenge(registrationChallenge(profile)), mtls, requiredHeaders(deps), portalToken(deps), jwtBody(deps), async (req, res) => {
    const claims = requestClaims(deps.store);
    const ctx = registrationContext(deps, req, res.locals.clientCert?.subjectDn, claims);
    if (deferred) {
      const to = deferredRecipient(req.body as string, deferred.contactType);
      const ref = res.locals.interactionId;
      res.status(deferred.status).json(deferred.ack);
      void completeDeferred(deps, req.body as string, ctx, to, ref, claims);
      return;
    }
    const reg = await verifyRegistration(req.body as string, ctx);
    const record = newClientRecord(reg, profile, deps.now(), deps.ids);
    // Full: 503 with Retry-After, and the request's jti released so that the same request can be sent again.
    await claims.storing(() => deps.store.createClient(record));
    deps.logger.info('client registered', { interaction_id: res.locals.interactionId, client_id: record.client_id, software_id: reg.ssa.softwareId });
    sendClient(deps, res, record);
  }];
}

export function registerRoutes(deps: AppDeps, post: RequestHandler[] = registrationPost(deps)): Router {
  const router = Router();
  const { profile } = deps;
  const path = profile.paths.register;
  const mtls = requireClientCertificate({ skip: !profile.registration.mtls || deps.skip.has('TLS-CERT-REQUIRED') });
  // GET and DELETE read the certificate only for the token binding; PUT requires mTLS as POST does.
  const certOptional = requireClientCertificate({ skip: true });
  const headers = requiredHeaders(deps);
  // Before any route matches: Express decodes {ClientId} while matching, and a malformed
  // %-escape (/register/%ZZ) is refused from there, in the profile's envelope like any refusal here.
  router.use(path, profileEnvelope);

  router.post(path, ...post);

  router.all(path, profileEnvelope, methodNotAllowed(profile.errors, ['POST']));

  const m = profile.management;
  if (!m.get && !m.put && !m.delete) return router; // the bank documents no client management
  const { allowed, supported } = managementMethods(profile);

  // Management is authorized by a Bearer token (RFC 6750 3); a missing certificate on PUT is refused with it too.
  const bearerChallenge = challenge('Bearer realm="register"');
  router.get(`${path}/:clientId`, profileEnvelope, bearerChallenge, supported(m.get, 'GET'), headers, certOptional, bearer(deps), (_req, res) => {
    if (broken(deps.skip, 'MGT-GET')) throw new RuleViolation('MGT-GET', 'fault: the client is not found'); // test-only
    const client = clientResponse(res.locals.authorized!.client, profile);
    // Fault (test-only): the credentials only, none of the registered metadata.
    res.status(200).json(broken(deps.skip, 'MGT-GET-CONFIG') ? { client_id: client.client_id } : client);
  });

  router.put(`${path}/:clientId`, profileEnvelope, bearerChallenge, supported(m.put, 'PUT'), headers, mtls, bearer(deps), jwtBody(deps), async (req, res) => {
    const { client } = res.locals.authorized!;
    const claims = requestClaims(deps.store);
    const ctx = { ...registrationContext(deps, req, res.locals.clientCert?.subjectDn, claims), clientIdInPath: client.client_id };
    const reg = await verifyRegistration(req.body as string, ctx);
    // RFC 7591 2: software_id "SHOULD remain the same across multiple updates"; OBIE: it is the SSA's.
    // A PUT carrying another software's SSA (a consistent request, so REQ-SOFTWARE-ID holds) is refused.
    const original = client.metadata.software_id;
    if (reg.metadata.software_id !== original && !deps.skip.has('PUT-SOFTWARE-ID')) {
      throw new RuleViolation('PUT-SOFTWARE-ID', `software_id ${JSON.stringify(reg.metadata.software_id)} is not the client's ${JSON.stringify(original)}; register the other software as a new client`);
    }
    const record = updatedClientRecord(client, reg, profile, deps.ids);
    // Fault (test-only): the PUT takes software_id from the claims, as a bank that stores the update as sent.
    if (broken(deps.skip, 'PUT-SOFTWARE-ID') && typeof reg.claims.software_id === 'string') record.metadata = { ...record.metadata, software_id: reg.claims.software_id };
    await claims.storing(() => deps.store.updateClient(record));
    // OBIE PUT: long-lived tokens stay valid; the fault PUT-KEEPS-TOKENS revokes them instead.
    if (deps.skip.has('PUT-KEEPS-TOKENS')) await deps.store.revokeClientTokens(client.client_id);
    deps.logger.info('client updated', { interaction_id: res.locals.interactionId, client_id: record.client_id });
    if (broken(deps.skip, 'MGT-PUT')) return res.status(204).end(); // fault (test-only): no client in the answer
    res.status(200).json(clientResponse(record, profile));
  });

  router.delete(`${path}/:clientId`, profileEnvelope, bearerChallenge, supported(m.delete, 'DELETE'), headers, certOptional, bearer(deps), deleteClient(deps, (res) => res.locals.authorized!.client));

  // PATCH and any other method: 405 with the same Allow as a switched-off GET / PUT / DELETE.
  router.all(`${path}/:clientId`, profileEnvelope, methodNotAllowed(profile.errors, allowed, 'MGT-METHOD-ALLOWED'));

  return router;
}
