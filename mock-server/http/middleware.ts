import { createHash, randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Request, Response, NextFunction, RequestHandler, ErrorRequestHandler } from 'express';
import { OAuthError, RuleViolation } from '../errors';
import type { Logger } from '../logger';
import { subjectDnOf } from '../../common/dn';
import { Redactions, isCredentialName, journalRequest, redactAuthorization } from '../core/journal';
import type { DecodedJws } from '../core/jws';
import type { JournalEntry, Store } from '../store/types';
import { estimateBytes } from '../store/bounded';
import type { RuleTrace } from '../core/rule-trace';
import type { Profile } from '../profiles/types';
import { renderError } from '../core/error-envelope';
import { journalExtras } from '../admin/journal-extras';

const OAUTH: Profile['errors'] = { envelope: 'oauth' };

export interface PresentedCertificate {
  subjectDn: string;
  fingerprint256: string;
  raw: Buffer;
  /** RFC 8705 x5t#S256: base64url SHA-256 of the DER. */
  thumbprint: string;
  /** The certificate chains to a trusted CA and is within its validity. */
  authorized: boolean;
}

declare module 'express-serve-static-core' {
  interface Locals {
    interactionId: string;
    rule?: string;
    profileEnvelope?: boolean;
    clientCert?: PresentedCertificate;
    /** The WWW-Authenticate challenge of a 401 from this route that did not set its own (RFC 7235 3.1). */
    challenge?: string;
    /** The request body as the registration verifier decoded it (core/verify-registration.ts onDecoded), for the journal. */
    requestJws?: DecodedJws;
  }
}

const INTERACTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What a journal entry is made from, read off the request and its response when it finished. */
interface Exchange {
  time: number;
  id: string;
  method: string;
  path: string;
  status: number;
  rule: string | undefined;
  body: unknown;
  authorization: string | undefined;
  locals: Response['locals'];
}

/**
 * The redacted entry (core/journal.ts), made now or, for an in-process store, when the journal is
 * read (`later`). Out here, apart from the request's closures, so that an entry made later holds
 * only what it is made from, as flat text where it can: the body (a JWS body is decoded again
 * from it, not kept decoded beside it), the answer's JSON text as it was sent (what the client got,
 * even were the value changed since), the trace; never the request, the response or their socket.
 */
function entryMaker(x: Exchange, later: boolean): () => JournalEntry {
  const { trace, refusal, faultsApplied, ruleFaultOf } = x.locals;
  const requestJws = later ? undefined : x.locals.requestJws;
  const answerText = later && x.locals.answer !== undefined ? x.locals.answerText : undefined;
  const answerValue = answerText === undefined ? x.locals.answer : undefined;
  const { time, id, method, path, status, rule, body, authorization } = x;
  return () => {
    const marks = new Redactions();
    const request = journalRequest(body, authorization, marks, requestJws);
    const answer: unknown = answerText !== undefined ? JSON.parse(answerText) : answerValue;
    const extras = journalExtras({ trace, answer, refusal, faultsApplied, ruleFaultOf }, rule, marks);
    return {
      time: new Date(time).toISOString(),
      interaction_id: id,
      method,
      path,
      status,
      ...(rule ? { rule } : {}),
      ...(request ? { request } : {}),
      ...extras,
      ...(marks.paths.length ? { redacted: marks.list() } : {}),
    };
  };
}

/**
 * The bytes an entry made later is counted for in the journal's bound (JOURNAL_MAX_BYTES), from
 * what is held until it is made: the request body, the answer (its JSON text, or the value), the
 * rules checked, and room for the entry's own fields and its list of what was redacted. The entry
 * itself is not much larger: redaction only removes, and a JWS kept decoded is shorter than its text.
 */
function pendingBytes(body: unknown, answer: unknown, trace: RuleTrace | undefined): number {
  const request = typeof body === 'string' ? body.length : body && typeof body === 'object' ? estimateBytes(body) : 0;
  const answered = answer === undefined ? 0 : typeof answer === 'string' ? answer.length : estimateBytes(answer);
  return request + answered + (trace ? trace.size * 48 : 0) + PENDING_ENTRY_BYTES;
}

/**
 * Whether JSON text has a member whose name ends in "token" (`"access_token":`). JSON.stringify
 * writes no space before the colon, and a string value's own quotes are escaped, so this finds
 * member names only; a substring search, several times quicker than a pattern over the ~5 KB of
 * a registration answer (its SSA alone is 2.6K characters).
 */
const hasTokenMember = (json: string) => json.includes('token":') || json.includes('Token":') || json.includes('TOKEN":');

/**
 * Whether an exchange carries a credential the journal removes: a form or JSON body with a member
 * named like one (client_secret, client_assertion, a password, an access, refresh or id token, a
 * code: core/journal.ts's names), or an answer with a *token member (access_token,
 * registration_access_token...). Such an entry is
 * redacted as it is written, so that none is held in the clear until the journal is read (the
 * store keeps tokens only as their hash). Conservative: a member of that name anywhere in the
 * answer counts.
 */
function carriesCredential(body: unknown, answer: unknown): boolean {
  if (body && typeof body === 'object' && Object.keys(body).some(isCredentialName)) return true;
  if (typeof answer === 'string') return hasTokenMember(answer);
  return answer !== undefined && answer !== null && typeof answer === 'object' && hasTokenMember(JSON.stringify(answer) ?? '');
}

/** The fixed part of an entry (time, id, method, path, status) and its list of redacted paths at most (50 of about 40 characters). */
const PENDING_ENTRY_BYTES = 2400;

/**
 * What every request gets, in one middleware (one router layer, one `finish` listener):
 * - an x-fapi-interaction-id, echoed when well-formed, generated otherwise;
 * - Cache-Control: no-store;
 * - one structured log line when it finishes;
 * - an entry in the store's journal (redacted, core/journal.ts: as it is written, or when it is read from an
 *   in-process store), unless its path is under `journalExcept`.
 */
export function requestContext(opts: { logger: Logger; store: Store; journalExcept: string }): RequestHandler {
  const { logger, store, journalExcept } = opts;
  const journalFailed = (e: unknown) => logger.warn('journal append failed', { error: (e as Error)?.message });
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const given = req.get('x-fapi-interaction-id');
    const id = given && INTERACTION_ID.test(given) ? given : randomUUID();
    res.locals.interactionId = id;
    res.setHeader('x-fapi-interaction-id', id);
    res.setHeader('cache-control', 'no-store');
    // Read now: routers rewrite req.url while they run.
    const path = req.path;
    const journal = !path.startsWith(journalExcept);
    res.on('finish', () => {
      const rule = res.locals.rule;
      logger.info('request', {
        interaction_id: id,
        method: req.method,
        path,
        status: res.statusCode,
        rule,
        ms: Number((process.hrtime.bigint() - start) / 1000n) / 1000,
      });
      if (!journal) return;
      // The credentials of an Authorization value are dropped at once, whenever the entry is made (it keeps the scheme alone anyway).
      const authorization = req.get('authorization');
      const exchange: Exchange = { time: Date.now(), id, method: req.method, path, status: res.statusCode, rule, body: req.body, authorization: authorization && redactAuthorization(authorization), locals: res.locals };
      const { answer, answerText, trace, faultsApplied, ruleFaultOf } = res.locals;
      // Made now: an entry a runtime fault shaped (its hit counts are made with the entry), and one
      // that carries a credential (the store keeps tokens only as their hash, and so does the journal's ring).
      if (store.appendJournalLater && !ruleFaultOf && !faultsApplied?.length && !carriesCredential(exchange.body, answerText ?? answer)) {
        store.appendJournalLater(entryMaker(exchange, true), pendingBytes(exchange.body, answerText ?? answer, trace));
      } else {
        store.appendJournal(entryMaker(exchange, false)()).catch(journalFailed);
      }
    });
    next();
  };
}

/**
 * The presented certificate, worked out once per TLS connection: parsing it costs more than the
 * request's signature checks, and keep-alive connections carry many requests. The server
 * refuses renegotiation (runtime.ts), so a connection's peer certificate cannot change.
 */
const presented = new WeakMap<object, PresentedCertificate | null>();

/**
 * The subject DN, read from the certificate's DER: any attribute, by OID when it has no name. A
 * subject that cannot be read (a malformed string value) is named as such, and matches no DN.
 */
function readableSubject(cert: { raw: Buffer }): string {
  try {
    return subjectDnOf(cert);
  } catch (e) {
    return `(unreadable subject: ${(e as Error).message})`;
  }
}

function presentedCertificate(req: Request): PresentedCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerX509Certificate !== 'function') return undefined;
  let entry = presented.get(socket);
  if (entry === undefined) {
    const cert = socket.getPeerX509Certificate() ?? undefined;
    entry = cert
      ? {
          subjectDn: readableSubject(cert),
          fingerprint256: cert.fingerprint256,
          raw: cert.raw,
          thumbprint: createHash('sha256').update(cert.raw).digest('base64url'),
          authorized: socket.authorized === true,
        }
      : null;
    presented.set(socket, entry);
  }
  return entry ?? undefined;
}

/**
 * Mutual TLS, enforced per endpoint: TLS asks for a certificate but lets the handshake finish
 * without one, so discovery stays reachable; protected routes refuse here with a clear error.
 */
export function requireClientCertificate(options: { skip?: boolean } = {}): RequestHandler {
  return (req, res, next) => {
    const cert = presentedCertificate(req);
    if (cert) res.locals.clientCert = cert;
    if (options.skip) return next();
    if (!cert) return next(new RuleViolation('TLS-CERT-REQUIRED', 'no client certificate was presented; this endpoint requires mutual TLS'));
    if (!cert.authorized) {
      const why = String((req.socket as TLSSocket).authorizationError ?? 'not trusted');
      return next(new RuleViolation('TLS-CERT-TRUSTED', `the client certificate ${JSON.stringify(cert.subjectDn)} was refused: ${why}`));
    }
    next();
  };
}

/** Marks a response as one of the profile's DCR endpoints: its refusals use the profile's error envelope. */
export const profileEnvelope: RequestHandler = (_req, res, next) => {
  res.locals.profileEnvelope = true;
  next();
};

/**
 * Turns an OAuthError into its status and body: the profile's envelope on the DCR endpoints
 * (see profileEnvelope), `{ error, error_description }` elsewhere; anything else is a 500 without detail.
 */
export function errorHandler(logger: Logger, envelope: Profile['errors'] = OAUTH): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let e: OAuthError;
    const status = (err as { status?: number; type?: string })?.status;
    const type = (err as { type?: string })?.type;
    if (err instanceof OAuthError) {
      e = err;
    } else if (type === 'entity.too.large') {
      e = new RuleViolation('HTTP-BODY-SIZE', `the body exceeds the ${(err as { limit?: number }).limit ?? ''} byte limit`);
    } else if (type === 'entity.parse.failed') {
      e = new OAuthError('invalid_request', 400, 'the body is not valid JSON');
    } else if (err instanceof URIError && status === 400) {
      // Express decodes path parameters (/register/%ZZ) before any route runs.
      e = new OAuthError('invalid_request', 400, 'the path holds a malformed %-escape');
    } else if (status && status >= 400 && status < 500 && type) {
      e = new OAuthError('invalid_request', status === 415 ? 400 : status, `the request body could not be read (${type})`);
    } else if (status && status >= 400 && status < 500 && (err as { expose?: boolean }).expose === true) {
      // http-errors without a type: body-parser wraps a failed decompression (zlib) as a plain 400.
      const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
      const why = encoding !== 'identity'
        ? `the body could not be decompressed as Content-Encoding ${JSON.stringify(encoding.slice(0, 32))}`
        : 'the request could not be read';
      e = new OAuthError('invalid_request', status === 415 ? 400 : status, why);
    } else {
      logger.error('unhandled error', { interaction_id: res.locals.interactionId, path: req.path, error: (err as Error)?.name, message: (err as Error)?.message });
      e = new OAuthError('server_error', 500, 'An unexpected error occurred.');
    }
    if (e.rule) res.locals.rule = e.rule;
    res.locals.refusal = e.description;
    const out = renderError(e, res.locals.profileEnvelope ? envelope : OAUTH);
    const remap = res.locals.profileEnvelope ? envelope.remapStatus?.[req.method as 'GET' | 'POST' | 'PUT' | 'DELETE'] : undefined;
    const answered = remap?.[out.status] ?? out.status;
    for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
    // RFC 7235 3.1: every 401 carries a challenge; the route names its own (res.locals.challenge).
    if (answered === 401 && !res.hasHeader('www-authenticate')) res.setHeader('www-authenticate', res.locals.challenge ?? 'Bearer');
    if (out.body === undefined) res.status(answered).end();
    else res.status(answered).json(out.body);
  };
}
