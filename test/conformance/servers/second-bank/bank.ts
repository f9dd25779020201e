/**
 * The bank's state and its three operations (register, token, manage). Plain values in and out:
 * the HTTP layer hands over the body, the relevant headers and the presented certificate; the
 * clock and the network are injected.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import type { Bugs } from './bugs';
import { BankError, badMetadata, badSsa, bearerError, invalidClient, tokenError } from './errors';
import { parseCompact } from './jws';
import { dnMatches, type Rdn } from './dn';
import type { Network } from './network';
import {
  JWT_BEARER, SECRET_METHODS, checkClientAssertion, checkRequestClaims, discovery, grantScope, requestSignaturePlan,
  secretMatches, validateMetadata, verifyRequestSignature, verifySsa, type Directory, type Metadata, type Ssa,
} from './rules';

export interface PresentedCert {
  /** Whether it chains to the trusted CA (checked by TLS with rejectUnauthorized off). */
  trusted: boolean;
  subject: readonly Rdn[];
  /** RFC 8705 3.1 x5t#S256: base64url SHA-256 of the DER certificate. */
  thumbprint: string;
}

export function thumbprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64url');
}

export interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

interface StoredClient {
  client_id: string;
  client_id_issued_at: number;
  client_secret?: string;
  metadata: Metadata;
  software_id: string;
  org_id: string;
  software_jwks_endpoint: string;
  software_statement: string;
}

interface Token {
  clientId: string;
  scope: string;
  x5t?: string;
  exp: number;
}

export interface BankConfig {
  issuer: string;
  directory: Directory;
  bugs: Bugs;
  network: Network;
  /** Seconds since the epoch. */
  now: () => number;
}

const TOKEN_LIFETIME = 3600;

export class SecondBankCore {
  private readonly clients = new Map<string, StoredClient>();
  private readonly tokens = new Map<string, Token>();
  private readonly requestJtis = new Map<string, number>();
  private readonly assertionJtis = new Map<string, number>();

  constructor(private readonly cfg: BankConfig) {}

  private get bugs(): Bugs {
    return this.cfg.bugs;
  }
  get tokenUrl(): string {
    return `${this.cfg.issuer}/token`;
  }

  discovery(): Reply {
    return { status: 200, json: discovery(this.cfg.issuer) };
  }

  // ------------------------------------------------------------------------------------------
  // Registration

  /** The OBIE registration request, validated in full (POST and PUT alike). */
  private async validateRequest(body: string, contentType: string | undefined, cert: PresentedCert | undefined) {
    const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/jose' && type !== 'application/jwt') throw badMetadata('the request must be a JWS sent as application/jose or application/jwt');
    const jws = parseCompact(body);
    if (!jws) throw badMetadata('the request body is not a compact JWS');
    const now = this.cfg.now();
    const plan = requestSignaturePlan(jws.header, this.bugs);
    const ssa = verifySsa(jws.payload.software_statement, this.cfg.directory, now, this.bugs);
    let keys: JWK[] = [];
    if (plan.alg !== 'none' && !this.bugs.has('signature-unchecked')) {
      const h = jws.header;
      const outcome =
        plan.source === 'jwk'
          ? { keys: [h.jwk as JWK] }
          : plan.source === 'jku' || plan.source === 'x5u'
            ? typeof h[plan.source] === 'string'
              ? await this.cfg.network.headerKeys(h[plan.source] as string, plan.source)
              : { refused: `${plan.source} is not a URL` }
            : await this.cfg.network.softwareJwks(ssa.software_jwks_endpoint, this.bugs.has('jwks-host-unpinned'));
      if ('refused' in outcome) throw badSsa(outcome.refused);
      keys = outcome.keys;
    }
    verifyRequestSignature(jws, plan, keys, this.bugs);
    const claims = checkRequestClaims(jws.payload, ssa, this.cfg.issuer, now, this.bugs);
    this.prune(this.requestJtis, now);
    if (claims.jti !== undefined && !this.bugs.has('jti-replay') && this.requestJtis.has(claims.jti)) throw badMetadata('the request jti has been used before');
    const metadata = validateMetadata(jws.payload, ssa, { ...(cert ? { certSubject: cert.subject } : {}) }, this.bugs);
    const consume = () => {
      if (claims.jti !== undefined && !this.bugs.has('jti-replay')) this.requestJtis.set(claims.jti, Math.max(claims.exp, now + TOKEN_LIFETIME));
    };
    return { payload: jws.payload, ssa, metadata, consume };
  }

  private requireTransport(cert: PresentedCert | undefined): void {
    if (!cert) throw invalidClient('registration needs a client certificate (mutual TLS)', false);
    if (!cert.trusted && !this.bugs.has('registration-untrusted-ca')) throw invalidClient('the client certificate does not chain to a trusted CA', false);
  }

  async register(body: string, contentType: string | undefined, cert: PresentedCert | undefined): Promise<Reply> {
    this.requireTransport(cert);
    const { ssa, metadata, consume } = await this.validateRequest(body, contentType, cert);
    consume();
    const client: StoredClient = {
      client_id: randomUUID(),
      client_id_issued_at: this.cfg.now(),
      ...(SECRET_METHODS.includes(metadata.token_endpoint_auth_method) ? { client_secret: newSecret() } : {}),
      metadata,
      software_id: ssa.software_id,
      org_id: ssa.org_id,
      software_jwks_endpoint: ssa.software_jwks_endpoint,
      software_statement: ssa.raw,
    };
    const stored = this.bugs.has('post-stores-first-redirect')
      ? { ...client, metadata: { ...metadata, redirect_uris: ssa.software_redirect_uris.slice(0, 1) } }
      : client;
    this.clients.set(client.client_id, stored);
    return { status: 201, json: clientJson(client) };
  }

  // ------------------------------------------------------------------------------------------
  // Token endpoint

  async token(form: URLSearchParams, contentType: string | undefined, authorization: string | undefined, cert: PresentedCert | undefined): Promise<Reply> {
    const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw tokenError('invalid_request', 'the token request must be application/x-www-form-urlencoded');
    const basic = /^basic\s/i.test(authorization ?? '');
    const post = form.has('client_secret');
    const assertion = form.has('client_assertion') || form.has('client_assertion_type');
    // RFC 6749 2.3: "The client MUST NOT use more than one authentication method in each request."
    if (Number(basic) + Number(post) + Number(assertion) > 1) throw tokenError('invalid_request', 'more than one client authentication method');
    const now = this.cfg.now();

    let client: StoredClient;
    let bound = true;
    if (basic) client = this.authBasic(authorization!);
    else if (post) client = this.authPost(form);
    else if (assertion) client = await this.authAssertion(form, now);
    else {
      const found = this.findForAuth(form.get('client_id'), 'tls_client_auth', false);
      const dn = found.metadata.tls_client_auth_subject_dn;
      if (!cert?.trusted) {
        if (!this.bugs.has('token-no-cert-dn-skipped')) throw invalidClient('tls_client_auth needs a trusted client certificate', false);
        bound = false;
      } else if (!this.bugs.has('token-dn-mismatch-accepted') && !(typeof dn === 'string' && dnMatches(dn, cert.subject))) {
        throw invalidClient('the client certificate subject does not match tls_client_auth_subject_dn', false);
      }
      client = found;
    }
    if (form.has('client_id') && form.get('client_id') !== client.client_id) throw invalidClient('client_id does not match the authenticated client', basic);
    // FAPI 1 Advanced 5.2.2: "shall only issue sender-constrained access tokens".
    if (bound && !cert?.trusted) throw invalidClient('access tokens are certificate-bound: a trusted client certificate is required', basic);

    if (!this.bugs.has('grant-type-unchecked')) {
      const grant = form.get('grant_type');
      if (grant === null || grant === '') throw tokenError('invalid_request', 'grant_type is required');
      if (grant !== 'client_credentials') throw tokenError('unsupported_grant_type', `grant_type ${grant} is not supported here`);
    }
    const scope = grantScope(form.get('scope') ?? undefined, client.metadata.scope, this.bugs);
    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, { clientId: client.client_id, scope, ...(bound && cert ? { x5t: cert.thumbprint } : {}), exp: now + TOKEN_LIFETIME });
    return {
      status: 200,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
      json: { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_LIFETIME, scope },
    };
  }

  private findForAuth(id: string | null | undefined, method: string, basic: boolean): StoredClient {
    const client = id ? this.clients.get(id) : undefined;
    if (!client) throw invalidClient('unknown client', basic);
    if (client.metadata.token_endpoint_auth_method !== method) throw invalidClient(`the client is not registered for ${method}`, basic);
    return client;
  }

  /** RFC 6749 2.3.1: client_id and secret are form-urlencoded, then joined with ":" and base64-encoded. */
  private authBasic(authorization: string): StoredClient {
    const decoded = Buffer.from(authorization.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient('malformed Basic credentials', true);
    let id: string;
    let secret: string;
    try {
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      throw invalidClient('malformed Basic credentials', true);
    }
    const client = this.findForAuth(id, 'client_secret_basic', true);
    if (!this.bugs.has('basic-secret-unchecked') && !secretMatches(secret, client.client_secret ?? '', this.bugs)) throw invalidClient('wrong client secret', true);
    return client;
  }

  private authPost(form: URLSearchParams): StoredClient {
    const client = this.findForAuth(form.get('client_id'), 'client_secret_post', false);
    if (!this.bugs.has('post-secret-unchecked') && !secretMatches(form.get('client_secret') ?? '', client.client_secret ?? '', this.bugs)) throw invalidClient('wrong client secret', false);
    return client;
  }

  private async authAssertion(form: URLSearchParams, now: number): Promise<StoredClient> {
    // RFC 7523 2.2: client_assertion_type "MUST be urn:ietf:params:oauth:client-assertion-type:jwt-bearer".
    if (form.get('client_assertion_type') !== JWT_BEARER && !this.bugs.has('assertion-type-unchecked')) throw invalidClient('client_assertion_type must be jwt-bearer', false);
    const jws = parseCompact(form.get('client_assertion') ?? '');
    if (!jws) throw invalidClient('client_assertion is not a compact JWS', false);
    const id = form.get('client_id') ?? (typeof jws.payload.iss === 'string' ? jws.payload.iss : undefined);
    const client = this.findForAuth(id, 'private_key_jwt', false);
    const outcome = await this.cfg.network.softwareJwks(client.software_jwks_endpoint, this.bugs.has('jwks-host-unpinned'));
    if ('refused' in outcome) throw invalidClient(outcome.refused, false);
    const alg = client.metadata.token_endpoint_auth_signing_alg;
    const { jti, exp } = checkClientAssertion(
      jws,
      outcome.keys,
      { clientId: client.client_id, alg: typeof alg === 'string' ? alg : undefined, audiences: [this.tokenUrl, this.cfg.issuer], now },
      this.bugs,
    );
    if (!this.bugs.has('assertion-replay')) {
      this.prune(this.assertionJtis, now);
      const key = `${client.client_id} ${jti}`;
      if (this.assertionJtis.has(key)) throw invalidClient('the client assertion jti has been used before', false);
      this.assertionJtis.set(key, exp);
    }
    return client;
  }

  // ------------------------------------------------------------------------------------------
  // Management: GET / PUT / DELETE /register/{ClientId}

  async manage(
    method: 'GET' | 'PUT' | 'DELETE',
    pathId: string,
    authorization: string | undefined,
    cert: PresentedCert | undefined,
    body: string,
    contentType: string | undefined,
  ): Promise<Reply> {
    const now = this.cfg.now();
    const m = /^bearer(?:\s+(.*))?$/i.exec((authorization ?? '').trim());
    if (!m) throw bearerError(401, null, 'a Bearer access token from the client_credentials grant is required');
    const value = (m[1] ?? '').trim();
    const token = value ? this.tokens.get(value) : undefined;
    if (!token || token.exp <= now) throw bearerError(401, 'invalid_token', 'the access token is unknown, revoked or expired');
    // RFC 8705 3: the resource "MUST reject the request" when the certificate does not match the token.
    if (!cert?.trusted || !token.x5t || (cert.thumbprint !== token.x5t && !this.bugs.has('bound-token-any-cert'))) {
      throw bearerError(401, 'invalid_token', 'the access token is not bound to the presented certificate');
    }
    const client = this.lookup(pathId);
    if (!client) {
      // OBIE DCR: an unknown ClientId is answered 401 and the access token is revoked at once.
      if (!this.bugs.has('unknown-client-token-kept')) this.tokens.delete(value);
      if (this.bugs.has('unknown-client-404')) throw new BankError(404, 'invalid_request', 'no such client');
      throw bearerError(401, 'invalid_token', 'the client is unknown');
    }
    if (token.clientId !== client.client_id && !(this.bugs.has('cross-client-put-delete') && method !== 'GET')) {
      throw bearerError(403, 'insufficient_scope', 'the access token was not issued to this client');
    }
    if (method === 'GET') return { status: 200, json: clientJson(client) };
    if (method === 'DELETE') {
      if (!this.bugs.has('delete-keeps-client')) {
        this.clients.delete(client.client_id);
        for (const [k, t] of this.tokens) if (t.clientId === client.client_id) this.tokens.delete(k);
      }
      return { status: 204 };
    }
    return this.update(client, body, contentType, cert);
  }

  private lookup(pathId: string): StoredClient | undefined {
    const exact = this.clients.get(pathId);
    if (exact) return exact;
    for (const c of this.clients.values()) {
      if (this.bugs.has('client-id-case-insensitive') && c.client_id.toLowerCase() === pathId.toLowerCase()) return c;
      if (this.bugs.has('mgmt-find-by-software-id') && c.software_id === pathId) return c;
    }
    return undefined;
  }

  /** OBIE DCR PUT: the request is validated as on POST, carries client_id, and cannot move the client to other software. */
  private async update(client: StoredClient, body: string, contentType: string | undefined, cert: PresentedCert): Promise<Reply> {
    const { payload, ssa, metadata, consume } = await this.validateRequest(body, contentType, cert);
    if (payload.client_id !== client.client_id) throw badMetadata('client_id in the request must be the ClientId of the path');
    if (ssa.software_id !== client.software_id && !this.bugs.has('put-software-id-changes')) throw badMetadata('software_id cannot change');
    if (ssa.org_id !== client.org_id) throw badMetadata('org_id cannot change');
    consume();
    const secretMethod = SECRET_METHODS.includes(metadata.token_endpoint_auth_method);
    const updated: StoredClient = {
      client_id: client.client_id,
      client_id_issued_at: client.client_id_issued_at,
      ...(secretMethod ? { client_secret: client.client_secret ?? newSecret() } : {}),
      metadata,
      software_id: ssa.software_id,
      org_id: client.org_id,
      software_jwks_endpoint: ssa.software_jwks_endpoint,
      software_statement: ssa.raw,
    };
    if (!this.bugs.has('put-stores-nothing')) this.clients.set(client.client_id, updated);
    return { status: 200, json: clientJson(this.bugs.has('put-answers-old') ? client : updated) };
  }

  private prune(map: Map<string, number>, now: number): void {
    for (const [k, exp] of map) if (exp < now) map.delete(k);
  }
}

/** 24 random bytes: 32 base64url characters, within OBIE Max36Text. */
function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** RFC 7591 3.2.1: "all registered metadata about the client", plus what the bank provisioned. */
function clientJson(c: StoredClient): Record<string, unknown> {
  return {
    client_id: c.client_id,
    client_id_issued_at: c.client_id_issued_at,
    ...(c.client_secret !== undefined ? { client_secret: c.client_secret, client_secret_expires_at: 0 } : {}),
    ...c.metadata,
    software_id: c.software_id,
    org_id: c.org_id,
    software_statement: c.software_statement,
  };
}

export type { Ssa };
