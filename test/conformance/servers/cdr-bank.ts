/**
 * A small, independent Australia CDR data holder, written from the Consumer Data Standards' DCR API
 * text (POST/GET/PUT/DELETE /register, application/jwt, the ClientRegistration claims, the
 * cdr:registration scope) and the ERR-DCR codes, not from the mock: it proves the pack's cdr checks.
 * Registration validates in order (the first failing step answers): the body, the SSA (present, then
 * signed by the CDR Register, cdr-register, unexpired), the software product's JWKS, the request JWT
 * (signature, lifetime, aud = issuer, iss = software_id), the claims (collected), the redirect URIs,
 * then one client per software_id. Management: a client_credentials token (private_key_jwt) bound
 * to the mTLS certificate, of scope cdr:registration. Each `CdrBug` switches one rule to a realistic
 * mistake. HTTPS on 127.0.0.1 only; bodies bounded; state in memory.
 */
import https from 'node:https';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { listenLocal, readBody as readBounded, Refusal as CdrError, type LocalServer } from './local-https';

export const CDR_BUGS = [
  // POST /register, in validation order
  'empty-as-ssa', 'ssa-absent-005', 'ssa-signature-unchecked', 'ssa-exp-unchecked', 'ssa-iss-unchecked', 'request-signature-unchecked', 'request-exp-unchecked',
  'aud-unchecked', 'iss-unchecked', 'claims-unchecked', 'sector-unchecked', 'redirect-unchecked', 'redirect-before-ssa', 'duplicates-allowed', 'register-200', 'software-id-dropped',
  // management
  'bearer-optional', 'scope-unchecked', 'token-unbound', 'unknown-404', 'get-text-plain', 'put-text-plain', 'put-unvalidated', 'delete-200',
] as const;
export type CdrBug = (typeof CDR_BUGS)[number];

export interface CdrBankOptions {
  tls: { cert: string; key: string; ca: string };
  /** The CDR Register's public JWKS (what GET /cdr-register/v1/jwks answers). */
  registerJwks: JSONWebKeySet;
  /** The software products' JWKS by jwks_uri (the network, simulated). */
  softwareJwks: ReadonlyMap<string, JSONWebKeySet>;
  /** The sector_identifier_uris that answer (the network, simulated); any other does not. */
  sectorUris?: ReadonlySet<string>;
  bugs?: readonly CdrBug[];
}

export type CdrBank = LocalServer;

type Json = Record<string, unknown>;
const refuse = (code: string, err: string, text: string): never => {
  throw new CdrError(400, code, `${err}: ${text}`);
};
const MAX_BODY = 64 * 1024;
const SIGNING_ALGS = ['PS256', 'ES256'];
const thumbprint = (der: Buffer) => createHash('sha256').update(der).digest('base64url');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

interface Client {
  clientId: string;
  softwareId: string;
  jwksUri: string;
  scope: string;
  metadata: Json;
}
interface Token {
  clientId: string;
  scope: string;
  cert: string;
}

export async function startCdrBank(opts: CdrBankOptions): Promise<CdrBank> {
  const bug = (b: CdrBug) => (opts.bugs ?? []).includes(b);
  const clients = new Map<string, Client>();
  const tokens = new Map<string, Token>();
  const registerKeys = createLocalJWKSet(opts.registerJwks);
  let issuer = '';

  /** The validation of a registration (or update) JWT, step by step; `self` is the client a PUT updates. */
  async function validate(jwt: string, self?: Client): Promise<Client> {
    if (jwt.trim() === '') refuse('invalid_client_metadata', bug('empty-as-ssa') ? 'ERR-DCR-006' : 'ERR-DCR-002', 'The registration request is empty.');
    let unverified: Json;
    try {
      unverified = decodeJwt(jwt);
    } catch {
      return refuse('invalid_client_metadata', 'ERR-DCR-004', 'The registration request is not a JWT.');
    }
    const redirectCheck = (ssaRedirects: string[]) => {
      if (bug('redirect-unchecked')) return;
      const outside = strings(unverified.redirect_uris).filter((u) => !ssaRedirects.includes(u));
      if (outside.length || !Array.isArray(unverified.redirect_uris)) refuse('invalid_redirect_uri', 'ERR-DCR-003', `The redirect_uri '${outside[0] ?? ''}' is not valid as it is not included in the software_statement.`);
    };
    const statement = unverified.software_statement;
    if (bug('redirect-before-ssa') && typeof statement === 'string') {
      try {
        redirectCheck(strings(decodeJwt(statement).redirect_uris));
      } catch (e) {
        if (e instanceof CdrError) throw e;
      }
    }
    if (typeof statement !== 'string' || statement.split('.').length !== 3) {
      return refuse('invalid_software_statement', bug('ssa-absent-005') ? 'ERR-DCR-005' : 'ERR-DCR-006', 'The software_statement is empty or invalid.');
    }
    let ssa: Json;
    if (bug('ssa-signature-unchecked')) ssa = decodeJwt(statement);
    else {
      try {
        ssa = (await jwtVerify(statement, registerKeys, { algorithms: ['PS256'], ...(bug('ssa-iss-unchecked') ? {} : { issuer: 'cdr-register' }), ...(bug('ssa-exp-unchecked') ? { currentDate: new Date(0) } : {}) })).payload as Json;
      } catch {
        return refuse('invalid_software_statement', 'ERR-DCR-005', 'The software_statement could not be validated.');
      }
    }
    if (bug('ssa-signature-unchecked') && !bug('ssa-iss-unchecked') && ssa.iss !== 'cdr-register') refuse('invalid_software_statement', 'ERR-DCR-005', 'The software_statement issuer is not the CDR Register.');
    const jwksUri = typeof ssa.jwks_uri === 'string' ? ssa.jwks_uri : '';
    const adrJwks = opts.softwareJwks.get(jwksUri);
    if (!jwksUri.startsWith('https://')) refuse('invalid_software_statement', 'ERR-GEN-020', 'The jwks_uri of the software_statement is not valid.');
    if (!adrJwks) return refuse('invalid_software_statement', 'ERR-GEN-021', 'The JWKS of the software product could not be loaded.');
    const softwareId = String(ssa.software_id ?? '');
    let claims: Json;
    if (bug('request-signature-unchecked')) claims = unverified;
    else {
      try {
        claims = (await jwtVerify(jwt, createLocalJWKSet(adrJwks), { algorithms: SIGNING_ALGS, ...(bug('request-exp-unchecked') ? { currentDate: new Date(0) } : {}) })).payload as Json;
      } catch {
        return refuse('invalid_client_metadata', 'ERR-DCR-004', 'The registration request signature or lifetime is not valid.');
      }
    }
    if (bug('request-signature-unchecked') && !bug('request-exp-unchecked') && typeof claims.exp === 'number' && claims.exp < Date.now() / 1000) refuse('invalid_client_metadata', 'ERR-DCR-004', 'The registration request has expired.');
    if (!bug('aud-unchecked') && claims.aud !== issuer) refuse('invalid_client_metadata', 'ERR-DCR-004', 'The registration request audience is not this data holder.');
    if (!bug('iss-unchecked') && claims.iss !== softwareId) refuse('invalid_client_metadata', 'ERR-DCR-004', 'The registration request issuer is not the software_id.');
    if (!bug('claims-unchecked')) {
      const problems: string[] = [];
      for (const c of ['iss', 'iat', 'exp', 'jti', 'token_endpoint_auth_method', 'grant_types', 'response_types', 'id_token_signed_response_alg', 'request_object_signing_alg']) if (claims[c] === undefined) problems.push(`The '${c}' claim is missing.`);
      if (claims.token_endpoint_auth_method !== undefined && claims.token_endpoint_auth_method !== 'private_key_jwt') problems.push("The 'token_endpoint_auth_method' claim value must be private_key_jwt.");
      if (claims.application_type !== undefined && claims.application_type !== 'web') problems.push("The 'application_type' claim value must be web.");
      if (claims.grant_types !== undefined && !strings(claims.grant_types).includes('authorization_code')) problems.push("The 'grant_types' claim value must contain authorization_code.");
      if (claims.token_endpoint_auth_signing_alg !== undefined && !SIGNING_ALGS.includes(String(claims.token_endpoint_auth_signing_alg))) problems.push("The 'token_endpoint_auth_signing_alg' claim value is not supported.");
      if (problems.length) refuse('invalid_client_metadata', 'ERR-DCR-004', problems.join(' '));
    }
    const sector = ssa.sector_identifier_uri;
    if (sector !== undefined && !bug('sector-unchecked') && !(opts.sectorUris ?? new Set()).has(String(sector))) refuse('invalid_client_metadata', 'ERR-DCR-007', 'The sector_identifier_uri could not be fetched.');
    redirectCheck(strings(ssa.redirect_uris));
    if (!self && !bug('duplicates-allowed') && [...clients.values()].some((c) => c.softwareId === softwareId)) refuse('invalid_client_metadata', 'ERR-DCR-001', 'Duplicate registrations for a given software_id are not valid.');
    const metadata: Json = {
      client_id: self?.clientId ?? randomUUID(),
      client_id_issued_at: Math.floor(Date.now() / 1000),
      client_name: ssa.client_name, client_description: ssa.client_description, client_uri: ssa.client_uri,
      org_id: ssa.org_id, org_name: ssa.org_name, legal_entity_id: ssa.legal_entity_id, legal_entity_name: ssa.legal_entity_name,
      redirect_uris: claims.redirect_uris, jwks_uri: jwksUri,
      token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: claims.token_endpoint_auth_signing_alg,
      grant_types: claims.grant_types, response_types: claims.response_types, application_type: 'web',
      id_token_signed_response_alg: claims.id_token_signed_response_alg, request_object_signing_alg: claims.request_object_signing_alg,
      software_statement: statement, ...(bug('software-id-dropped') ? {} : { software_id: softwareId }), software_roles: 'data-recipient-software-product', scope: ssa.scope,
    };
    return { clientId: String(metadata.client_id), softwareId, jwksUri, scope: String(ssa.scope ?? ''), metadata };
  }

  async function token(form: URLSearchParams, cert: string | undefined): Promise<Json> {
    if (form.get('grant_type') !== 'client_credentials') throw new CdrError(400, 'unsupported_grant_type', 'only client_credentials');
    const client = clients.get(form.get('client_id') ?? '');
    const assertion = form.get('client_assertion') ?? '';
    if (!client || form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !cert) throw new CdrError(401, 'invalid_client', 'client authentication failed');
    try {
      await jwtVerify(assertion, createLocalJWKSet(opts.softwareJwks.get(client.jwksUri)!), { algorithms: SIGNING_ALGS, issuer: client.clientId, subject: client.clientId });
    } catch {
      throw new CdrError(401, 'invalid_client', 'the client assertion is not valid');
    }
    const registered = client.scope.split(' ');
    const asked = (form.get('scope') ?? client.scope).split(' ').filter(Boolean);
    if (asked.some((s) => !registered.includes(s))) throw new CdrError(400, 'invalid_scope', 'a scope was not registered');
    const t = randomBytes(24).toString('base64url');
    tokens.set(t, { clientId: client.clientId, scope: asked.join(' '), cert });
    return { access_token: t, token_type: 'Bearer', expires_in: 300, scope: asked.join(' ') };
  }

  const UNKNOWN = 'Bearer error="invalid_request", error_description="The client is unknown"';
  function authorise(req: IncomingMessage, id: string, cert: string | undefined): Client {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const t = m ? tokens.get(m[1]!) : undefined;
    if (!t && bug('bearer-optional') && !m) {
      const c = clients.get(id);
      if (c) return c;
    }
    if (!m) throw new CdrError(401, 'invalid_token', 'no token', 'Bearer');
    if (!t) throw new CdrError(401, 'invalid_token', 'the token is not valid', 'Bearer error="invalid_token"');
    if (!bug('token-unbound') && t.cert !== cert) throw new CdrError(401, 'invalid_token', 'the token is bound to another certificate', 'Bearer error="invalid_token"');
    if (!bug('scope-unchecked') && !t.scope.split(' ').includes('cdr:registration')) throw new CdrError(403, 'insufficient_scope', 'cdr:registration is required', 'Bearer error="insufficient_scope"');
    const c = clients.get(id);
    if (!c || c.clientId !== t.clientId) {
      if (bug('unknown-404')) throw new CdrError(404, 'not_found', 'no such client');
      throw new CdrError(401, 'invalid_request', 'The client is unknown', UNKNOWN);
    }
    return c;
  }

  const server = https.createServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof CdrError ? e : new CdrError(500, 'server_error', 'internal error');
      res.writeHead(err.status, { 'content-type': 'application/json', ...(err.challenge ? { 'www-authenticate': err.challenge } : {}) });
      res.end(JSON.stringify({ error: err.code, error_description: err.message }));
    });
  });

  const readBody = (req: IncomingMessage) => readBounded(req, MAX_BODY, () => new CdrError(400, 'invalid_request', 'body too large'));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    const socket = req.socket as TLSSocket;
    const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
    const cert = peer?.raw ? thumbprint(peer.raw) : undefined;
    const json = (status: number, b: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(b));
    };
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer, registration_endpoint: `${issuer}/register`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
        token_endpoint_auth_methods_supported: ['private_key_jwt'], token_endpoint_auth_signing_alg_values_supported: SIGNING_ALGS,
        grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token'], response_types_supported: ['code'],
        scopes_supported: ['openid', 'profile', 'cdr:registration'], tls_client_certificate_bound_access_tokens: true,
      });
    }
    if (!cert) throw new CdrError(401, 'invalid_client', 'a trusted client certificate is required');
    if (req.method === 'POST' && url.pathname === '/token') return json(200, await token(new URLSearchParams(await readBody(req)), cert));
    if (req.method === 'POST' && url.pathname === '/register') {
      if ((req.headers['content-type'] ?? '').split(';')[0] !== 'application/jwt') throw new CdrError(400, 'invalid_client_metadata', 'ERR-DCR-002: send application/jwt');
      const c = await validate(await readBody(req));
      clients.set(c.clientId, c);
      return json(bug('register-200') ? 200 : 201, c.metadata);
    }
    const m = /^\/register\/([^/]+)$/.exec(url.pathname);
    if (!m) throw new CdrError(404, 'not_found', 'no such path');
    const id = decodeURIComponent(m[1]!);
    const client = authorise(req, id, cert);
    if (req.method === 'GET') return json(200, client.metadata, bug('get-text-plain') ? 'text/plain' : 'application/json');
    if (req.method === 'PUT') {
      const text = await readBody(req);
      let updated: Client;
      if (bug('put-unvalidated')) updated = client;
      else updated = await validate(text, client);
      clients.set(client.clientId, { ...updated, clientId: client.clientId });
      return json(200, { ...updated.metadata, client_id: client.clientId }, bug('put-text-plain') ? 'text/plain' : 'application/json');
    }
    if (req.method === 'DELETE') {
      clients.delete(client.clientId);
      if (bug('delete-200')) return json(200, {});
      res.writeHead(204).end();
      return;
    }
    throw new CdrError(405, 'invalid_request', 'method not allowed');
  }

  const local = await listenLocal(server);
  issuer = local.issuer;
  return local;
}
