/**
 * A small, independent RFC 7591 / 7592 registration server (JSON metadata, the registration access
 * token, rotated on every PUT), written from the RFCs and nothing else, for proving the pack's
 * rfc7591 checks: the correct server must pass them all, and each `Bug` switches one rule to a
 * realistic wrong implementation that exactly its checks must catch. HTTPS on 127.0.0.1 only;
 * bodies bounded; the state is in memory.
 */
import https from 'node:https';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PemPair } from '../../../common/certs';
import { listenLocal, readBody, Refusal as OAuthError, type LocalServer } from './local-https';

export const RFC7591_BUGS = [
  // POST (RFC 7591 2, 3)
  'register-200', 'metadata-dropped', 'no-secret-expiry', 'unknown-metadata-refused', 'redirect-uris-optional', 'fragment-accepted', 'jwks-both-accepted', 'inconsistent-accepted', 'iat-unchecked',
  // the registration access token (RFC 7592 2, 3; RFC 6750 3)
  'no-client-uri', 'rat-unchecked', 'no-www-authenticate',
  // GET, PUT, DELETE (RFC 7592 2.1 - 2.3)
  'get-text-plain', 'put-text-plain', 'put-stores-nothing', 'put-augments', 'put-client-id-changeable', 'secret-overwritable', 'server-fields-taken', 'delete-200', 'delete-keeps-client',
] as const;
export type Rfc7591Bug = (typeof RFC7591_BUGS)[number];

export interface Rfc7591ServerOptions {
  tls: PemPair;
  bugs?: readonly Rfc7591Bug[];
  /** RFC 7591 3: a static initial access token POST must carry; open registration without it. */
  initialAccessToken?: string;
}

export type Rfc7591Server = LocalServer;

type Json = Record<string, unknown>;

const KNOWN = ['redirect_uris', 'token_endpoint_auth_method', 'grant_types', 'response_types', 'client_name', 'client_uri', 'logo_uri', 'scope', 'contacts', 'tos_uri', 'policy_uri', 'jwks_uri', 'jwks', 'software_id', 'software_version'];
const SERVER_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'];
const SECRET_METHODS = ['client_secret_basic', 'client_secret_post'];
const MAX_BODY = 64 * 1024;
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** RFC 7591 2: the client's metadata, validated; unknown members removed. Pure. */
export function validateMetadata(input: Json, bug: (b: Rfc7591Bug) => boolean): Json {
  const unknown = Object.keys(input).filter((k) => !KNOWN.includes(k) && k !== 'client_id' && k !== 'client_secret' && k !== 'software_statement' && !SERVER_FIELDS.includes(k));
  if (unknown.length && bug('unknown-metadata-refused')) throw new OAuthError(400, 'invalid_client_metadata', `unknown metadata ${unknown.join(', ')}`);
  const m: Json = Object.fromEntries(Object.entries(input).filter(([k]) => KNOWN.includes(k)));
  const grants = m.grant_types ?? ['authorization_code'];
  const responses = m.response_types ?? ['code'];
  if (!strings(grants) || !strings(responses)) throw new OAuthError(400, 'invalid_client_metadata', 'grant_types and response_types are arrays of strings');
  m.grant_types = grants;
  m.response_types = responses;
  const redirectBased = grants.includes('authorization_code') || grants.includes('implicit');
  if (m.redirect_uris === undefined) {
    if (redirectBased && !bug('redirect-uris-optional')) throw new OAuthError(400, 'invalid_redirect_uri', 'redirect_uris is required for redirect-based grants');
  } else {
    if (!strings(m.redirect_uris) || m.redirect_uris.length === 0) throw new OAuthError(400, 'invalid_redirect_uri', 'redirect_uris is a non-empty array of strings');
    for (const u of m.redirect_uris) {
      if (!URL.canParse(u)) throw new OAuthError(400, 'invalid_redirect_uri', 'a redirect URI is not absolute');
      if (u.includes('#') && !bug('fragment-accepted')) throw new OAuthError(400, 'invalid_redirect_uri', 'a redirect URI has a fragment');
    }
  }
  if (m.jwks !== undefined && m.jwks_uri !== undefined && !bug('jwks-both-accepted')) throw new OAuthError(400, 'invalid_client_metadata', 'jwks and jwks_uri are mutually exclusive');
  const consistent = (!responses.includes('code') || grants.includes('authorization_code')) && (!responses.includes('token') || grants.includes('implicit'));
  if (!consistent && !bug('inconsistent-accepted')) throw new OAuthError(400, 'invalid_client_metadata', 'response_types do not match grant_types');
  m.token_endpoint_auth_method ??= 'client_secret_basic';
  if (!['none', 'private_key_jwt', ...SECRET_METHODS].includes(String(m.token_endpoint_auth_method))) throw new OAuthError(400, 'invalid_client_metadata', 'unsupported token_endpoint_auth_method');
  return m;
}

interface Client {
  record: Json;
  rat: string;
}

export async function startRfc7591Server(opts: Rfc7591ServerOptions): Promise<Rfc7591Server> {
  const bug = (b: Rfc7591Bug) => (opts.bugs ?? []).includes(b);
  const clients = new Map<string, Client>();
  let issuer = '';
  const token = () => randomBytes(24).toString('base64url');

  const send = (res: ServerResponse, status: number, body?: Json, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'cache-control': 'no-store', ...(body ? { 'content-type': 'application/json' } : {}), ...headers });
    res.end(body ? JSON.stringify(body) : undefined);
  };
  const answer = (c: Client, id: string): Json => ({ ...c.record, ...(bug('no-client-uri') ? {} : { registration_client_uri: `${issuer}/register/${encodeURIComponent(id)}` }), registration_access_token: c.rat });
  const bearer = (req: IncomingMessage): string | undefined => {
    const m = /^Bearer\s+(\S*)$/i.exec(req.headers.authorization ?? '');
    return m ? m[1] : undefined;
  };
  /** RFC 6750 3: a request without a token gets a challenge without an error code; a bad token invalid_token. */
  const authorize = (req: IncomingMessage, expected: (t: string) => boolean) => {
    const t = bearer(req);
    if (t === undefined) throw new OAuthError(401, 'invalid_token', 'no token', 'Bearer realm="dcr"');
    if (!expected(t)) throw new OAuthError(401, 'invalid_token', 'the token is not valid for this client', 'Bearer realm="dcr", error="invalid_token"');
  };
  const readJson = async (req: IncomingMessage): Promise<Json> => {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new OAuthError(400, 'invalid_request', 'the body must be application/json');
    const text = await readBody(req, MAX_BODY, () => new OAuthError(413, 'invalid_request', 'the body is too large'));
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new OAuthError(400, 'invalid_request', 'the body is not JSON');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OAuthError(400, 'invalid_request', 'the body must be a JSON object');
    return v as Json;
  };

  async function register(req: IncomingMessage, res: ServerResponse) {
    if (opts.initialAccessToken && !bug('iat-unchecked')) authorize(req, (t) => t === opts.initialAccessToken);
    const m = validateMetadata(await readJson(req), bug);
    const id = randomUUID();
    const record: Json = { client_id: id, client_id_issued_at: Math.floor(Date.now() / 1000), ...m };
    if (SECRET_METHODS.includes(String(m.token_endpoint_auth_method))) {
      record.client_secret = token();
      if (!bug('no-secret-expiry')) record.client_secret_expires_at = 0;
    }
    const c: Client = { record, rat: token() };
    clients.set(id, c);
    const body = answer(c, id);
    if (bug('metadata-dropped')) delete body.client_name;
    send(res, bug('register-200') ? 200 : 201, body);
  }

  async function manage(req: IncomingMessage, res: ServerResponse, id: string) {
    const c = clients.get(id);
    authorize(req, (t) => !!c && (bug('rat-unchecked') || t === c.rat));
    if (!c) throw new OAuthError(401, 'invalid_token', 'unknown client', 'Bearer realm="dcr", error="invalid_token"');
    if (req.method === 'GET') {
      res.writeHead(200, { 'cache-control': 'no-store', 'content-type': bug('get-text-plain') ? 'text/plain' : 'application/json' });
      res.end(JSON.stringify(answer(c, id)));
      return;
    }
    if (req.method === 'DELETE') {
      if (!bug('delete-keeps-client')) clients.delete(id);
      if (bug('delete-200')) send(res, 200, {});
      else send(res, 204);
      return;
    }
    const input = await readJson(req);
    const taken: Json = {};
    const sentServerField = SERVER_FIELDS.find((f) => input[f] !== undefined);
    if (sentServerField && !bug('server-fields-taken')) throw new OAuthError(400, 'invalid_request', `the request must not include ${sentServerField}`);
    if (sentServerField) for (const f of SERVER_FIELDS) if (input[f] !== undefined) taken[f] = input[f];
    if (input.client_id !== c.record.client_id && !bug('put-client-id-changeable')) throw new OAuthError(400, 'invalid_request', 'client_id is not the current one');
    if (input.client_secret !== undefined && input.client_secret !== c.record.client_secret && !bug('secret-overwritable')) throw new OAuthError(400, 'invalid_request', 'client_secret is not the current one');
    const m = validateMetadata(input, bug);
    // RFC 7592 2.2: the new values replace the record; the server keeps what it provisioned.
    const kept = { client_id: c.record.client_id, client_id_issued_at: c.record.client_id_issued_at, ...(c.record.client_secret ? { client_secret: c.record.client_secret, client_secret_expires_at: c.record.client_secret_expires_at } : {}) };
    const base = bug('put-augments') ? { ...c.record } : {};
    const changed: Json = { ...base, ...kept, ...m };
    if (bug('put-client-id-changeable') && typeof input.client_id === 'string') changed.client_id = input.client_id;
    if (bug('secret-overwritable') && typeof input.client_secret === 'string') changed.client_secret = input.client_secret;
    for (const f of ['client_id_issued_at', 'client_secret_expires_at']) if (taken[f] !== undefined) changed[f] = taken[f];
    const next: Client = { record: changed, rat: typeof taken.registration_access_token === 'string' ? taken.registration_access_token : token() };
    if (!bug('put-stores-nothing')) clients.set(id, next);
    else clients.set(id, { ...c, rat: next.rat });
    const body = { ...answer(next, id), ...(typeof taken.registration_client_uri === 'string' ? { registration_client_uri: taken.registration_client_uri } : {}) };
    res.writeHead(200, { 'cache-control': 'no-store', 'content-type': bug('put-text-plain') ? 'text/plain' : 'application/json' });
    res.end(JSON.stringify(body));
  }

  const server = https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const route = async () => {
      if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
        return send(res, 200, { issuer, registration_endpoint: `${issuer}/register`, token_endpoint: `${issuer}/token`, grant_types_supported: ['authorization_code'], response_types_supported: ['code'], token_endpoint_auth_methods_supported: SECRET_METHODS });
      }
      if (req.method === 'POST' && path === '/register') return register(req, res);
      const m = /^\/register\/([^/]+)$/.exec(path);
      if (m && ['GET', 'PUT', 'DELETE'].includes(req.method ?? '')) return manage(req, res, decodeURIComponent(m[1]!));
      return send(res, 404, { error: 'invalid_request', error_description: 'no such endpoint' });
    };
    route().catch((e: unknown) => {
      if (res.headersSent) return;
      if (e instanceof OAuthError) {
        const challenge: Record<string, string> = e.challenge && !bug('no-www-authenticate') ? { 'www-authenticate': e.challenge } : {};
        return send(res, e.status, { error: e.code, error_description: e.message }, challenge);
      }
      send(res, 500, { error: 'server_error', error_description: 'internal error' });
    });
  });
  const local = await listenLocal(server);
  issuer = local.issuer;
  return local;
}
