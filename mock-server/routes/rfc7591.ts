import { finished } from 'node:stream';
import getRawBody from 'raw-body';
import { Router, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../app';
import { OAuthError, RuleViolation } from '../errors';
import { profileEnvelope, requireClientCertificate } from '../http/middleware';
import { methodNotAllowed } from '../http/methods';
import { asJws, broken, registrationAnswer } from '../faults';
import { RuleTrace } from '../core/rule-trace';
import {
  authorizeRegistrationAccess,
  checkInitialAccessToken,
  clientInformation,
  newRegistrationAccessToken,
  newRfc7591Client,
  replacedRfc7591Client,
  updateRequest,
  verifyClientMetadata,
  type Rfc7591Context,
  type Rfc7591Registration,
} from '../core/rfc7591';
import type { ClientRecord } from '../store/types';
import { deleteClient, managementMethods, requiredHeaders } from './register';

const JSON_TYPE = 'application/json';

declare module 'express-serve-static-core' {
  interface Locals {
    /** rfc7591: the client and registration access token of a request to its registration_client_uri. */
    registrationAccess?: { client: ClientRecord; token: string };
  }
}

const traceOf = (res: Response): RuleTrace => (res.locals.trace ??= new RuleTrace());

/**
 * RFC 7591 3.1: the client "sends an HTTP POST to the client registration endpoint with a content
 * type of application/json"; anything else is invalid_request (RFC 6749 5.2: the request "is
 * otherwise malformed"), as node-oidc-provider answers. The body is read within MAX_BODY_BYTES and
 * must be one JSON object.
 */
function jsonBody(deps: AppDeps): RequestHandler {
  const limit = deps.config.maxBodyBytes;
  return async (req, res, next) => {
    const trace = traceOf(res);
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const typeOk = type === JSON_TYPE;
    trace.check('RFC-CONTENT-TYPE', typeOk, false);
    if (!typeOk) return next(new RuleViolation('RFC-CONTENT-TYPE', `Content-Type ${JSON.stringify(type || '(none)')} is not accepted; send ${JSON_TYPE}`));
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') return next(new OAuthError('invalid_request', 400, `Content-Encoding ${JSON.stringify(encoding.slice(0, 32))} is not supported; send the JSON uncompressed`));
    let text: string;
    try {
      text = await getRawBody(req, { limit, length: req.get('content-length'), encoding: 'utf8' });
    } catch (e) {
      req.resume();
      const tooLarge = (e as { type?: string }).type === 'entity.too.large';
      const refusal = tooLarge ? new RuleViolation('RFC-BODY-JSON', `the body exceeds the ${limit} byte limit`) : e;
      if (tooLarge) trace.record('RFC-BODY-JSON', 'fail');
      return finished(req, () => next(refusal));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    trace.check('RFC-BODY-JSON', isObject, false);
    if (!isObject) return next(new RuleViolation('RFC-BODY-JSON', text.trim() === '' ? 'the body is empty; send the client metadata as a JSON object' : 'the body is not one JSON object'));
    req.body = body;
    next();
  };
}

function metadataContext(deps: AppDeps, res: Response): Rfc7591Context {
  return {
    profile: deps.profile,
    trust: deps.trust,
    now: deps.now(),
    clockSkewSeconds: deps.config.clockSkewSeconds,
    certificateDn: res.locals.clientCert?.subjectDn,
    ...(res.locals.clientCert ? { certificate: res.locals.clientCert.raw } : {}),
    skip: deps.skip,
    trace: traceOf(res),
  };
}

/** What a dialect built on RFC 7591 / 7592 (obf) changes in these routes. */
export interface Rfc7591RouteOptions {
  /** Verifies a POST body and a PUT's metadata (default: plain RFC 7591, verifyClientMetadata). */
  verify?: (body: Record<string, unknown>, ctx: Rfc7591Context) => Promise<Rfc7591Registration>;
  /** GET and DELETE need the client certificate too, as POST and PUT do when the profile sets mtls (obf: "mutual TLS" for DCR and DCM). */
  mtlsManagement?: boolean;
}

/**
 * The rfc7591 dialect: POST {register} (RFC 7591 3), and GET / PUT / DELETE at each client's
 * registration_client_uri {register}/{client_id} with its registration access token (RFC 7592 2).
 */
export function rfc7591Routes(deps: AppDeps, options: Rfc7591RouteOptions = {}): Router {
  const verify = options.verify ?? verifyClientMetadata;
  const router = Router();
  const { profile } = deps;
  const path = profile.paths.register;
  const clientUri = (id: string) => `${deps.urls.register}/${encodeURIComponent(id)}`;
  const rotate = new Set(profile.management.rotateRegistrationAccessToken ?? ['PUT']);
  const initialAccessToken = profile.registration.initialAccessToken;
  const mtls = requireClientCertificate({ skip: !profile.registration.mtls || deps.skip.has('TLS-CERT-REQUIRED') });
  const headers = requiredHeaders(deps);
  const bearerChallenge: RequestHandler = (_req, res, next) => {
    res.locals.challenge = 'Bearer';
    next();
  };
  router.use(path, profileEnvelope);

  router.post(path, profileEnvelope, bearerChallenge, mtls, headers,
    (req, res, next) => {
      checkInitialAccessToken(req.get('authorization'), initialAccessToken, deps.skip, traceOf(res));
      next();
    },
    jsonBody(deps),
    async (req, res) => {
      const reg = await verify(req.body as Record<string, unknown>, metadataContext(deps, res));
      const rat = newRegistrationAccessToken(deps.ids);
      const record = newRfc7591Client(reg, profile, deps.now(), rat.hash, deps.ids);
      await deps.store.createClient(record);
      deps.logger.info('client registered', { interaction_id: res.locals.interactionId, client_id: record.client_id, ...(reg.ssa ? { software_id: reg.ssa.softwareId } : {}) });
      send(res, registrationAnswer(201, clientInformation(record, clientUri(record.client_id), rat.token), deps.skip));
    });
  router.all(path, profileEnvelope, methodNotAllowed(profile.errors, ['POST']));

  const m = profile.management;
  if (!m.get && !m.put && !m.delete) return router;
  const { allowed, supported } = managementMethods(profile);
  const certOptional = options.mtlsManagement ? mtls : requireClientCertificate({ skip: true });
  const access: RequestHandler = async (req, res, next) => {
    try {
      res.locals.registrationAccess = await authorizeRegistrationAccess(
        { authorization: req.get('authorization'), clientIdInPath: String(req.params.clientId) },
        { getClient: (id) => deps.store.getClient(id), skip: deps.skip, trace: traceOf(res) },
      );
      next();
    } catch (e) {
      next(e);
    }
  };
  /** RFC 7592 3: the server MAY issue a new registration access token; the profile says on which methods. */
  const rotated = async (record: ClientRecord, method: 'GET' | 'PUT', presented: string): Promise<{ record: ClientRecord; token: string }> => {
    if (!rotate.has(method)) return { record, token: presented };
    const rat = newRegistrationAccessToken(deps.ids);
    return { record: { ...record, registration_access_token_hash: rat.hash }, token: rat.token };
  };
  const clientPath = `${path}/:clientId`;

  /** RFC 7592 2.1: "the server responds with an HTTP 200 OK status code and a body containing ... the client information response". */
  router.get(clientPath, profileEnvelope, bearerChallenge, supported(m.get, 'GET'), headers, certOptional, access, async (_req, res) => {
    const { client, token } = res.locals.registrationAccess!;
    if (broken(deps.skip, 'MGT-GET')) throw new RuleViolation('MGT-GET', 'fault: the client is not found'); // test-only
    const next = await rotated(client, 'GET', token);
    if (next.record !== client) await deps.store.updateClient(next.record);
    const info = clientInformation(next.record, clientUri(client.client_id), next.token);
    // Fault (test-only): the credentials only, none of the registered metadata.
    res.status(200).json(broken(deps.skip, 'MGT-GET-CONFIG') ? { client_id: info.client_id } : info);
  });

  /** RFC 7592 2.2: the whole record is replaced; the answer is the client information response. */
  router.put(clientPath, profileEnvelope, bearerChallenge, supported(m.put, 'PUT'), headers, mtls, access, jsonBody(deps), async (req, res) => {
    const { client, token } = res.locals.registrationAccess!;
    const trace = traceOf(res);
    const metadata = updateRequest(req.body as Record<string, unknown>, client, deps.skip, trace);
    const reg = await verify(metadata, metadataContext(deps, res));
    // RFC 7591 2: software_id "SHOULD remain the same across multiple updates".
    const before = client.registered?.software_id;
    const after = reg.registered.software_id;
    const changed = before !== undefined && after !== undefined && before !== after;
    trace.check('PUT-SOFTWARE-ID', !changed, deps.skip.has('PUT-SOFTWARE-ID'));
    if (changed && !deps.skip.has('PUT-SOFTWARE-ID')) throw new RuleViolation('PUT-SOFTWARE-ID', `software_id ${JSON.stringify(after)} is not the client's ${JSON.stringify(before)}; register the other software as a new client`);
    const next = await rotated(replacedRfc7591Client(client, reg, profile, client.registration_access_token_hash ?? '', deps.ids), 'PUT', token);
    await deps.store.updateClient(next.record);
    if (deps.skip.has('PUT-KEEPS-TOKENS')) await deps.store.revokeClientTokens(client.client_id);
    deps.logger.info('client updated', { interaction_id: res.locals.interactionId, client_id: client.client_id, registration_access_token_rotated: next.token !== token });
    if (broken(deps.skip, 'MGT-PUT')) return res.status(204).end(); // fault (test-only): no client in the answer
    res.status(200).json(clientInformation(next.record, clientUri(client.client_id), next.token));
  });

  /** RFC 7592 2.3: "the server MUST respond with HTTP 204 No Content", and the client and its tokens are gone. */
  router.delete(clientPath, profileEnvelope, bearerChallenge, supported(m.delete, 'DELETE'), headers, certOptional, access, deleteClient(deps, (res) => res.locals.registrationAccess!.client));

  router.all(clientPath, profileEnvelope, methodNotAllowed(profile.errors, allowed, 'MGT-METHOD-ALLOWED'));
  return router;
}

/** The registration answer as faults shape it: JSON, or (RES-CLIENT-JSON, test-only) an unsigned JWS. */
function send(res: Response, answer: ReturnType<typeof registrationAnswer>): void {
  if (answer.json) res.status(answer.status).json(answer.body);
  else res.status(answer.status).type('application/jwt').send(asJws(answer.body));
}

